// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * vzip: fault points for the KUnit tests (built with CONFIG_KUNIT only).
 *
 * Every fallible step of probe, queue setup and address translation calls
 * vzip_should_fail() with its site; a test arms the N-th call for a set of
 * sites to fail, runs the operation, and checks that it failed cleanly.
 * Sweeping N from 1 until nothing fires covers every unwind path.
 */
#include <kunit/visibility.h>
#include <linux/atomic.h>
#include <linux/bits.h>

#include "vzip.h"

/*
 * The armed fault: calls left until the failing one (0: disarmed), the
 * sites it applies to, and whether it fired.  Atomics, no lock: tests arm
 * and disarm while the driver's threads may be calling in.
 */
static atomic_t vzip_fault_countdown = ATOMIC_INIT(0);
static atomic_t vzip_fault_sites = ATOMIC_INIT(0);
static atomic_t vzip_fault_fired = ATOMIC_INIT(0);

/**
 * vzip_should_fail() - a fault point
 * @site: the kind of step
 *
 * Return: true if the step must fail.
 */
bool vzip_should_fail(enum vzip_fault_site site)
{
	if (likely(!atomic_read(&vzip_fault_countdown)))
		return false;
	if (!(atomic_read(&vzip_fault_sites) & BIT(site)))
		return false;
	if (atomic_dec_if_positive(&vzip_fault_countdown))
		return false;
	atomic_set(&vzip_fault_fired, 1);
	return true;
}

/**
 * vzip_fault_arm() - make a later fault point fail
 * @sites: BIT(enum vzip_fault_site) of the sites that count
 * @nth: the call, from 1, of such a site that fails
 */
void vzip_fault_arm(unsigned int sites, unsigned int nth)
{
	atomic_set(&vzip_fault_countdown, 0);
	atomic_set(&vzip_fault_fired, 0);
	atomic_set(&vzip_fault_sites, sites);
	atomic_set(&vzip_fault_countdown, nth);
}
EXPORT_SYMBOL_IF_KUNIT(vzip_fault_arm);

/**
 * vzip_fault_disarm() - disarm the fault point
 *
 * Return: true if it fired since vzip_fault_arm().
 */
bool vzip_fault_disarm(void)
{
	atomic_set(&vzip_fault_countdown, 0);
	return atomic_read(&vzip_fault_fired);
}
EXPORT_SYMBOL_IF_KUNIT(vzip_fault_disarm);
