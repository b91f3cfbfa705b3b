// SPDX-License-Identifier: GPL-2.0
/*
 * Storms on a vzip device (TAP): processes that die at random moments in
 * the middle of requests, and the device going away under processes that
 * are mid-request.
 *
 *   uacce_storm_test [--device vzip|vcrypt] [--procs N] [--parallel P]
 *                    [--seconds T] [--seed S] [--unbind R] [--no-rmmod] [-v]
 *
 * 1. Kill storm: N processes (400 by default, about 45 s in the debug
 *    guest under TCG; fewer if T seconds run out first), P at a time.
 *    Each opens a queue, maps it, and submits COPY and COMPRESS
 *    requests through the raw ring protocol without end; once its first
 *    request is posted, it is SIGKILLed after a random delay (0-30 ms,
 *    from the seed): in the middle of a request, of a doorbell or of
 *    reaping a completion.  Each must die of that SIGKILL and of nothing
 *    else; at the end available_instances is back at its start, no page
 *    is left pinned, and the device still compresses correctly.
 * 2. Unbind: R times, P processes mid-request and the platform device
 *    unbound under them.  Each must see the removal (SIGBUS on its rings,
 *    ENXIO, a DEAD status word or an ABORTED completion) and exit; the
 *    device bound again has all its queues free and works.
 * 3. Module removal: P processes mid-request and one of this process's
 *    queues open.  rmmod of uacce fails (vzip depends on it); rmmod of
 *    vzip succeeds, because removal revokes the open queues
 *    (Documentation/uacce.rst, "Device removal"); every process sees the
 *    removal; rmmod of uacce still fails while a file of a removed device
 *    is open (EWOULDBLOCK: O_NONBLOCK and a module in use); vzip is loaded
 *    again with its parameters, and works.
 *
 * --device vcrypt storms the crypto device the same way (uacce, vcrypt
 * loaded): each process loads keys into three of its queue's key slots
 * (AES-256-CBC, HMAC-SHA256, AES-128-CTR) and then submits AES-CBC,
 * SHA-512, HMAC and AES-CTR requests of 128 KiB without end; besides the
 * queues, every key slot of the device must be free again after the kill
 * storm, the unbinds and the rmmod (slots_loaded 0 in debugfs:
 * Documentation/vcrypt.rst, "Key slots"), and the device must still hash
 * correctly.
 *
 * Kernel reports (KASAN, lockdep, kmemleak, WARN) fail the test through
 * the harness.  Root; prints TAP; exits non-zero when a case failed.
 */
#define _GNU_SOURCE
#include <getopt.h>
#include <signal.h>
#include <stddef.h>
#include <sys/syscall.h>
#include <sys/utsname.h>
#include <sys/wait.h>
#include <zlib.h>

#include "tap.h"
#include "vcrypt_testlib.h"
#include "vzip_zref.h"

#define MAX_PAR		32
#define REQ_LEN		(16 * 1024)
#define VC_REQ_LEN	(128 * 1024)	/* long enough to be killed in */
#define EXIT_REMOVED	42	/* a child saw the device go away */
#define MAX_DELAY_MS	30

/* what differs between the devices this test storms */
struct device_class {
	const char *module;	/* the module, its platform driver */
	int (*find)(char *name, size_t size);
	bool crypto;		/* vcrypt: key slots, crypto requests */
	const char *const *params;	/* module parameters to restore */
};

static const char *const vzip_param_names[] = {
	"devices", "queues", "engines", "ring_depth", "sva", "ss_size",
	"max_len", "idle_us", NULL,
};

static const char *const vcrypt_param_names[] = {
	"devices", "queues", "engines", "ring_depth", "sva", "ss_size",
	"max_len", "idle_us", "key_slots", NULL,
};

static const struct device_class classes[] = {
	{ "vzip", vzip_find_device, false, vzip_param_names },
	{ "vcrypt", vcrypt_find_device, true, vcrypt_param_names },
};

static const struct device_class *cls = &classes[0];
static char name[NAME_MAX + 1], pdev[NAME_MAX + 1];
static uint64_t rng;
static int verbose, parallel = 8;
static long avail0;

static uint32_t below(uint32_t n)
{
	rng ^= rng << 13;
	rng ^= rng >> 7;
	rng ^= rng << 17;
	return n ? (uint32_t)(rng % n) : 0;
}

static long available(void)
{
	char path[PATH_MAX], buf[32];

	snprintf(path, sizeof(path), VZIP_CLASS_DIR "/%s/available_instances",
		 name);
	return vzip_read_file(path, buf, sizeof(buf)) ? -1 : atol(buf);
}

/* The platform device behind the uacce device: vzip.N. */
static int find_pdev(void)
{
	char path[PATH_MAX], link[PATH_MAX];
	ssize_t n;

	if (cls->find(name, sizeof(name)))
		return -ENODEV;
	snprintf(path, sizeof(path), VZIP_CLASS_DIR "/%s/device", name);
	n = readlink(path, link, sizeof(link) - 1);
	if (n < 0)
		return -errno;
	link[n] = '\0';
	snprintf(pdev, sizeof(pdev), "%s", strrchr(link, '/') + 1);
	return 0;
}

/* ---- the children ---- */

static void on_sigbus(int sig)
{
	(void)sig;
	_exit(EXIT_REMOVED);
}

static bool removed(int err)
{
	return err == -ENXIO || err == -ENODEV || err == -ENOENT;
}

/*
 * A child's queue, opened and started, SIGBUS caught; its status page.
 * Exits EXIT_REMOVED when the device is gone, 10 on another error.
 */
static struct uacce_queue_status *child_open(struct vzip_q *q)
{
	struct sigaction sa = { .sa_handler = on_sigbus };
	int ret;

	sigaction(SIGBUS, &sa, NULL);
	ret = vzip_open(q, name);
	if (!ret)
		ret = vzip_start(q);
	if (ret)
		_exit(removed(ret) ? EXIT_REMOVED : 10);
	return (void *)(q->dus + VZIP_CTRL_STATUS);
}

/* the statuses child_round() knows, the same on both devices */
_Static_assert((int)VZIP_STS_OK == (int)VCRYPT_STS_OK &&
	       (int)VZIP_STS_ABORTED == (int)VCRYPT_STS_ABORTED,
	       "vzip and vcrypt share OK and ABORTED");

/*
 * A child's request @i (@sqe, @sqe_size bytes) posted, two in flight: the
 * first tells the parent through @ready; each later one reaps the
 * completion of the one before (@cqe_size bytes, user_data first, the
 * status at @status_at), which must be OK.  Exits EXIT_REMOVED once the
 * queue is dead or the request ABORTED, another code on a failure.
 */
static void child_round(struct vzip_q *q, struct uacce_queue_status *st,
			int ready, unsigned int i, const void *sqe,
			size_t sqe_size, size_t cqe_size, size_t status_at)
{
	uint8_t cqe[64];
	uint64_t user_data;
	uint16_t status;
	unsigned int s;
	int ret;

	vzip_queue_raw(q, sqe, sqe_size);
	ret = vzip_submit(q);
	if (ret)
		_exit(removed(ret) ? EXIT_REMOVED : 12);
	if (!i) {
		if (write(ready, "r", 1) != 1)
			_exit(13);
		return;
	}
	if (cqe_size > sizeof(cqe))
		_exit(16);
	ret = vzip_reap_raw(q, cqe, cqe_size, VZIP_TIMEOUT_MS, true);
	if (__atomic_load_n(&st->state, __ATOMIC_ACQUIRE) == UACCE_QSTATE_DEAD)
		_exit(EXIT_REMOVED);
	if (ret)
		_exit(14);
	memcpy(&user_data, cqe, sizeof(user_data));
	memcpy(&status, cqe + status_at, sizeof(status));
	s = le16toh(status);
	if (s == VZIP_STS_ABORTED)
		_exit(EXIT_REMOVED);
	if (s != VZIP_STS_OK || le64toh(user_data) != i - 1)
		_exit(20 + s);
}

/*
 * Submits requests without end, two in flight, and tells the parent
 * through @ready once the first is posted.  Exits EXIT_REMOVED when the
 * device goes away, another code when something is wrong.
 */
static void __attribute__((noreturn)) child(int ready, uint32_t seed)
{
	struct uacce_queue_status *st;
	uint8_t *src, *dst[2];
	struct vzip_q q;
	unsigned int i;

	st = child_open(&q);
	src = vzip_mem(&q, REQ_LEN);
	dst[0] = vzip_mem(&q, 2 * REQ_LEN);
	dst[1] = vzip_mem(&q, 2 * REQ_LEN);
	if (!src || !dst[0] || !dst[1])
		_exit(11);
	vzip_fill(src, REQ_LEN, seed);
	for (i = 0;; i++) {
		struct vzip_sqe sqe;

		sqe = vzip_sqe(&q, i % 3 == 2 ? VZIP_OP_COMPRESS : VZIP_OP_COPY,
			       i % 3 == 2 ? (i + seed) % 3 : 0,
			       i % 3 == 2 ? VZIP_FLUSH_FINISH : 0, src, REQ_LEN,
			       dst[i % 2], 2 * REQ_LEN);
		if (i % 3 == 2)
			sqe.level = 1 + (i + seed) % 3;
		sqe.user_data = htole64(i);
		child_round(&q, st, ready, i, &sqe, sizeof(sqe),
			    sizeof(struct vzip_cqe),
			    offsetof(struct vzip_cqe, status));
	}
}

/* vcrypt's keys: slot 0 AES-256-CBC, 1 HMAC-SHA256, 2 AES-128-CTR */
static const struct {
	uint8_t alg;
	uint8_t op;
	uint8_t len;
	uint8_t iv_len;
} vc_slots[3] = {
	{ VCRYPT_ALG_AES_CBC, VCRYPT_OP_ENCRYPT, 32, VCRYPT_CIPHER_IV },
	{ VCRYPT_ALG_HMAC_SHA256, VCRYPT_OP_DIGEST, 40, 0 },
	{ VCRYPT_ALG_AES_CTR, VCRYPT_OP_ENCRYPT, 16, VCRYPT_CIPHER_IV },
};

/* The status of a request run alone; ABORTED if it did not complete. */
static unsigned int vc_status(struct vzip_q *q, const struct vcrypt_sqe *sqe)
{
	struct vcrypt_cqe cqe;
	int ret = vcrypt_post(q, sqe);

	/* in poll(): eight children spinning would starve the engines */
	if (!ret)
		ret = vcrypt_reap(q, &cqe, VZIP_TIMEOUT_MS, true);
	if (ret)
		_exit(removed(ret) ? EXIT_REMOVED : 15);
	return le16toh(cqe.status);
}

/*
 * vcrypt's child: loads its three keys, then submits crypto requests of
 * VC_REQ_LEN without end, two in flight, as child() does.
 */
static void __attribute__((noreturn)) child_vcrypt(int ready, uint32_t seed)
{
	struct uacce_queue_status *st;
	uint8_t *src, *dst[2], *key;
	struct vzip_q q;
	unsigned int i, s;

	st = child_open(&q);
	src = vzip_mem(&q, VC_REQ_LEN);
	dst[0] = vzip_mem(&q, VC_REQ_LEN);
	dst[1] = vzip_mem(&q, VC_REQ_LEN);
	key = vzip_mem(&q, VCRYPT_KEY_MAX);
	if (!src || !dst[0] || !dst[1] || !key)
		_exit(11);
	vzip_fill_random(src, VC_REQ_LEN, seed);
	for (i = 0; i < 3; i++) {
		struct vcrypt_sqe sqe;

		vzip_fill_random(key, vc_slots[i].len, seed + i);
		sqe = vcrypt_sqe(&q, VCRYPT_OP_KEY_LOAD, vc_slots[i].alg, i,
				 key, vc_slots[i].len, NULL, 0);
		s = vc_status(&q, &sqe);
		if (s == VCRYPT_STS_ABORTED)
			_exit(EXIT_REMOVED);
		if (s != VCRYPT_STS_OK)
			_exit(30 + s);
	}
	for (i = 0;; i++) {
		unsigned int kind = (i + seed) % 4, slot = kind < 3 ? kind : 0;
		struct vcrypt_sqe sqe;

		if (kind == 3)	/* SHA-512, no key */
			sqe = vcrypt_sqe(&q, VCRYPT_OP_DIGEST, VCRYPT_ALG_SHA512,
					 0, src, VC_REQ_LEN, dst[i % 2],
					 VCRYPT_SHA512_SIZE);
		else
			sqe = vcrypt_sqe(&q, vc_slots[slot].op,
					 vc_slots[slot].alg, slot, src,
					 VC_REQ_LEN, dst[i % 2],
					 vc_slots[slot].op == VCRYPT_OP_DIGEST ?
					 VCRYPT_SHA256_SIZE : VC_REQ_LEN);
		sqe.iv_len = kind < 3 ? vc_slots[slot].iv_len : 0;
		memset(sqe.iv, (int)i, sqe.iv_len);
		sqe.user_data = htole64(i);
		child_round(&q, st, ready, i, &sqe, sizeof(sqe),
			    sizeof(struct vcrypt_cqe),
			    offsetof(struct vcrypt_cqe, status));
	}
}

/* ---- the parent ---- */

struct kid {
	pid_t pid;
	int rfd;		/* the read end of its ready pipe, -1 */
	bool ready;
	bool killed;		/* SIGKILL sent, not reaped yet */
	bool stuck;		/* killed for not posting a request in time */
	long kill_at;		/* ms since the start: when to kill it once
				 * ready; before, when it must be ready */
};

static struct timespec t0;

static pid_t spawn(struct kid *k, uint32_t seed)
{
	int fds[2];

	if (pipe2(fds, O_CLOEXEC))
		return -1;
	fflush(stdout);
	k->pid = fork();
	if (!k->pid) {
		close(fds[0]);
		if (cls->crypto)
			child_vcrypt(fds[1], seed);
		child(fds[1], seed);
	}
	close(fds[1]);
	k->rfd = fds[0];
	k->ready = false;
	k->killed = false;
	k->stuck = false;
	k->kill_at = vzip_ms_since(&t0) + VZIP_TIMEOUT_MS;
	if (k->pid < 0) {
		close(fds[0]);
		k->rfd = -1;
		k->pid = 0;
		return -1;
	}
	return k->pid;
}

/* Waits for a child; its wait status, or -1. */
static int reap(struct kid *k)
{
	int status = -1;

	if (k->pid > 0 && waitpid(k->pid, &status, 0) != k->pid)
		status = -1;
	if (k->rfd >= 0)
		close(k->rfd);
	k->pid = 0;
	k->rfd = -1;
	return status;
}

static void describe(int status, char *buf, size_t size)
{
	if (WIFSIGNALED(status))
		snprintf(buf, size, "signal %d", WTERMSIG(status));
	else
		snprintf(buf, size, "exit %d", WEXITSTATUS(status));
}

/* Waits until every child of @k posted its first request; false if not. */
static bool all_ready(struct kid *k, int n, long timeout_ms)
{
	long end = vzip_ms_since(&t0) + timeout_ms;

	for (;;) {
		struct pollfd pfd[MAX_PAR];
		int waiting = 0, idx[MAX_PAR];

		for (int i = 0; i < n; i++)
			if (!k[i].ready) {
				pfd[waiting] = (struct pollfd){ k[i].rfd, POLLIN, 0 };
				idx[waiting++] = i;
			}
		if (!waiting)
			return true;
		if (vzip_ms_since(&t0) > end)
			return false;
		if (poll(pfd, waiting, 100) < 0)
			return false;
		for (int j = 0; j < waiting; j++) {
			char c;

			if (!(pfd[j].revents & (POLLIN | POLLHUP)))
				continue;
			if (read(k[idx[j]].rfd, &c, 1) != 1)
				return false;	/* died before being ready */
			k[idx[j]].ready = true;
		}
	}
}

/* available_instances back at its start (a released file may lag a bit). */
static bool all_free(long *now)
{
	for (int i = 0; i < 100; i++) {
		*now = available();
		if (*now == avail0)
			return true;
		usleep(50000);
	}
	return false;
}

/* The device still works: compresses (vzip) or hashes (vcrypt). */
static bool device_works(void)
{
	return cls->crypto ? vcrypt_hashes(name) : vzip_compresses(name, 99);
}

/*
 * vcrypt: every key slot of the device free again (slots_loaded 0; a
 * released file may lag a bit).
 */
static bool slots_free(long long *now)
{
	for (int i = 0; i < 100; i++) {
		*now = vcrypt_stat(name, "slots_loaded");
		if (!*now)
			return true;
		usleep(50000);
	}
	return false;
}

/* A killed child was reaped: it must have died of that SIGKILL. */
static void reaped(struct kid *k, int st, int *killed, int *bad, char *why,
		   size_t size)
{
	k->pid = 0;
	if (k->rfd >= 0)
		close(k->rfd);
	k->rfd = -1;
	k->killed = false;
	if (k->stuck) {
		(*bad)++;
		snprintf(why, size, "no request posted in %d s",
			 VZIP_TIMEOUT_MS / 1000);
	} else if (WIFSIGNALED(st) && WTERMSIG(st) == SIGKILL) {
		(*killed)++;
	} else {
		(*bad)++;
		describe(st, why, size);
	}
}

/*
 * Keeps @parallel children alive, each SIGKILLed at its own random moment
 * after its first request; children are reaped as they go, so that their
 * exits (the release of their queues) overlap.
 */
static void test_kill_storm(int procs, long seconds)
{
	struct kid kids[MAX_PAR] = { 0 };
	int spawned = 0, killed = 0, bad = 0, alive = 1;
	long long pinned, slots;
	char why[64] = "";
	long now = -1;
	bool ok;

	for (int i = 0; i < parallel; i++)
		kids[i].rfd = -1;
	while (spawned < procs || alive) {
		struct pollfd pfd[MAX_PAR];
		int n = 0, idx[MAX_PAR];

		if (vzip_ms_since(&t0) > seconds * 1000)
			procs = spawned;
		alive = 0;
		for (int i = 0; i < parallel; i++) {
			struct kid *k = &kids[i];
			int st;

			if (k->killed && waitpid(k->pid, &st, WNOHANG) == k->pid)
				reaped(k, st, &killed, &bad, why, sizeof(why));
			if (!k->pid && spawned < procs) {
				if (spawn(k, spawned) < 0) {
					bad++;
					snprintf(why, sizeof(why), "fork: %s",
						 strerror(errno));
					procs = spawned;
					continue;
				}
				spawned++;
			}
			if (!k->pid)
				continue;
			alive++;
			if (k->killed)
				continue;
			if (vzip_ms_since(&t0) >= k->kill_at) {
				kill(k->pid, SIGKILL);
				k->killed = true;
				k->stuck = !k->ready;
			} else if (!k->ready) {
				pfd[n] = (struct pollfd){ k->rfd, POLLIN, 0 };
				idx[n++] = i;
			}
		}
		if (poll(pfd, n, 2) < 0)
			continue;
		for (int j = 0; j < n; j++) {
			struct kid *k = &kids[idx[j]];
			char c;

			if (!pfd[j].revents)
				continue;
			if (read(k->rfd, &c, 1) == 1) {
				k->ready = true;
				k->kill_at = vzip_ms_since(&t0) +
					     below(MAX_DELAY_MS + 1);
				continue;
			}
			/* it died before its first request */
			bad++;
			describe(reap(k), why, sizeof(why));
		}
	}
	tap_diag("kill storm: %d processes in %ld ms, %d killed mid-request, "
		 "%d otherwise%s%s", spawned, vzip_ms_since(&t0), killed, bad,
		 bad ? ", last: " : "", why);
	tap_ok(!bad && killed > 0 && killed == spawned,
	       "kill storm: %d processes SIGKILLed mid-request, each died of it",
	       killed);
	ok = all_free(&now);
	tap_ok(ok, "kill storm: available_instances back at %ld (%ld)", avail0,
	       now);
	pinned = cls->crypto ? vcrypt_stat(name, "pinned_pages") :
			       vzip_stat(name, "pinned_pages");
	tap_ok(pinned == 0, "kill storm: no page left pinned (%lld)", pinned);
	if (cls->crypto) {
		ok = slots_free(&slots);
		tap_ok(ok, "kill storm: every key slot free again (%lld loaded)",
		       slots);
	}
	tap_ok(device_works(), "kill storm: the device still %s correctly",
	       cls->crypto ? "hashes" : "compresses");
}

/*
 * Starts @n children and waits until each is mid-request; false (with
 * them all killed) if one is not.
 */
static bool start_busy(struct kid *kids, int n, uint32_t seed)
{
	for (int i = 0; i < n; i++) {
		kids[i].rfd = -1;
		if (spawn(&kids[i], seed + i) < 0)
			return false;
	}
	if (all_ready(kids, n, 60000))
		return true;
	for (int i = 0; i < n; i++) {
		if (kids[i].pid > 0)
			kill(kids[i].pid, SIGKILL);
		reap(&kids[i]);
	}
	return false;
}

/*
 * The children must all exit with EXIT_REMOVED within 30 s of the
 * removal; the late ones are killed.  The number that did.
 */
static int await_removed(struct kid *kids, int n, char *why, size_t size)
{
	int good = 0;

	for (int i = 0; i < n; i++) {
		int st = -1;

		for (int t = 0; t < 3000; t++) {
			if (waitpid(kids[i].pid, &st, WNOHANG) == kids[i].pid)
				break;
			st = -1;
			usleep(10000);
		}
		if (st == -1) {
			kill(kids[i].pid, SIGKILL);
			snprintf(why, size, "still running 30 s later");
		} else {
			kids[i].pid = 0;
		}
		reap(&kids[i]);
		if (st != -1 && WIFEXITED(st) && WEXITSTATUS(st) == EXIT_REMOVED)
			good++;
		else if (st != -1)
			describe(st, why, size);
	}
	return good;
}

static int bind_vzip(const char *what)
{
	char path[PATH_MAX];

	snprintf(path, sizeof(path), "/sys/bus/platform/drivers/%s/%s",
		 cls->module, what);
	return vzip_write_file(path, pdev);
}

static void test_unbind(int rounds)
{
	struct kid kids[MAX_PAR];
	char why[64] = "";
	long now = -1;
	bool ok;

	for (int r = 0; r < rounds; r++) {
		bool busy = start_busy(kids, parallel, 1000 + r * 100);
		int ret = -1, good = 0;

		if (busy) {
			usleep(below(MAX_DELAY_MS + 1) * 1000);
			ret = bind_vzip("unbind");
			good = await_removed(kids, parallel, why, sizeof(why));
		}
		tap_ok(busy && !ret, "unbind %d: %s unbound under %d processes "
		       "mid-request (%d)", r, pdev, parallel, ret);
		tap_ok(good == parallel, "unbind %d: every process saw the "
		       "removal and exited (%d of %d%s%s)", r, good, parallel,
		       *why ? ", " : "", why);
		ret = bind_vzip("bind");
		ok = !ret && !find_pdev() && all_free(&now);
		tap_ok(ok, "unbind %d: bound again as %s, %ld queues free (%d)",
		       r, name, now, ret);
		tap_ok(device_works(), "unbind %d: the device works", r);
	}
}

/* ---- module removal ---- */

static int delete_module(const char *mod)
{
	return syscall(SYS_delete_module, mod, O_NONBLOCK) ? errno : 0;
}

/* The module's parameters as insmod takes them, from /sys/module. */
static void vzip_params(char *buf, size_t size)
{
	const char *const *names = cls->params;
	size_t len = 0;

	buf[0] = '\0';
	for (unsigned int i = 0; names[i]; i++) {
		char path[PATH_MAX], val[64];

		snprintf(path, sizeof(path), "/sys/module/%s/parameters/%s",
			 cls->module, names[i]);
		if (vzip_read_file(path, val, sizeof(val)))
			continue;
		val[strcspn(val, "\n")] = '\0';
		len += snprintf(buf + len, size - len, "%s%s=%s",
				len ? " " : "", names[i], val);
		if (len >= size)
			break;
	}
}

/* Loads the module of the running kernel from the tree (as the harness does). */
static int load_vzip(const char *params)
{
	char path[PATH_MAX];
	struct utsname u;
	int fd, ret;

	uname(&u);
	snprintf(path, sizeof(path), "build/modules/%s/drivers/%s/%s.ko",
		 u.release, cls->module, cls->module);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return errno;
	ret = syscall(SYS_finit_module, fd, params, 0) ? errno : 0;
	close(fd);
	return ret;
}

static void test_rmmod(void)
{
	struct kid kids[MAX_PAR];
	struct pollfd pfd;
	char params[512], why[64] = "";
	struct vzip_q q;
	int ret, good = 0, held;
	long now = -1;
	bool busy, ok;

	vzip_params(params, sizeof(params));
	tap_diag("rmmod: %s parameters: %s", cls->module, params);
	busy = start_busy(kids, parallel, 5000);
	held = busy ? vzip_open(&q, name) : -1;
	if (!held)
		held = vzip_start(&q);
	tap_ok(busy && !held, "rmmod: %d processes mid-request, a queue held "
	       "here (%d)", parallel, held);
	ret = delete_module("uacce");
	tap_ok(ret == EWOULDBLOCK, "rmmod uacce while %s uses it: %s",
	       cls->module, strerror(ret));
	ret = delete_module(cls->module);
	tap_ok(!ret, "rmmod %s with queues open and mid-request: %s "
	       "(removal revokes them)", cls->module, strerror(ret));
	if (busy)
		good = await_removed(kids, parallel, why, sizeof(why));
	tap_ok(good == parallel, "rmmod: every process saw the removal and "
	       "exited (%d of %d%s%s)", good, parallel, *why ? ", " : "", why);
	if (!held) {
		pfd = (struct pollfd){ .fd = q.fd, .events = POLLIN };
		tap_ok(ioctl(q.fd, UACCE_CMD_WAKE_Q) && errno == ENXIO &&
		       poll(&pfd, 1, 1000) == 1 &&
		       (pfd.revents & (POLLERR | POLLHUP)) == (POLLERR | POLLHUP),
		       "rmmod: the queue held here is revoked (ENXIO, POLLERR "
		       "| POLLHUP)");
	} else {
		tap_ok(0, "rmmod: the queue held here is revoked");
	}
	ret = delete_module("uacce");
	tap_ok(held ? true : ret == EWOULDBLOCK,
	       "rmmod uacce while a file of the removed device is open: %s",
	       strerror(ret));
	if (!held)
		vzip_close(&q);
	if (!ret)	/* uacce went: the device cannot come back; nothing more */
		return;
	ret = load_vzip(params);
	ok = !ret && !find_pdev() && all_free(&now);
	tap_ok(ok,
	       "rmmod: %s loaded again (%s), %s with %ld queues free",
	       cls->module, strerror(ret), name, now);
	tap_ok(device_works(), "rmmod: the device works");
}

int main(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "device", required_argument, NULL, 'd' },
		{ "procs", required_argument, NULL, 'n' },
		{ "parallel", required_argument, NULL, 'p' },
		{ "seconds", required_argument, NULL, 't' },
		{ "seed", required_argument, NULL, 's' },
		{ "unbind", required_argument, NULL, 'u' },
		{ "no-rmmod", no_argument, NULL, 'R' },
		{ "verbose", no_argument, NULL, 'v' },
		{ 0 }
	};
	int procs = 400, unbind = 2, rmmod = 1, c;
	unsigned long long seed = time(NULL);
	long seconds = 45;

	while ((c = getopt_long(argc, argv, "v", opts, NULL)) != -1) {
		switch (c) {
		case 'd':
			cls = NULL;
			for (unsigned int i = 0; i < 2; i++)
				if (!strcmp(optarg, classes[i].module))
					cls = &classes[i];
			if (!cls) {
				fprintf(stderr, "uacce_storm_test: no device "
					"class '%s' (vzip, vcrypt)\n", optarg);
				return 2;
			}
			break;
		case 'n':
			procs = atoi(optarg);
			break;
		case 'p':
			parallel = atoi(optarg);
			break;
		case 't':
			seconds = atol(optarg);
			break;
		case 's':
			seed = strtoull(optarg, NULL, 0);
			break;
		case 'u':
			unbind = atoi(optarg);
			break;
		case 'R':
			rmmod = 0;
			break;
		case 'v':
			verbose = 1;
			break;
		default:
			fprintf(stderr, "usage: uacce_storm_test [--device "
				"vzip|vcrypt] [--procs N] "
				"[--parallel P] [--seconds T] [--seed S] "
				"[--unbind R] [--no-rmmod] [-v]\n");
			return 2;
		}
	}
	if (parallel < 1 || parallel > MAX_PAR)
		parallel = 8;
	rng = seed * 2654435761u + 88172645463325252ull;
	tap_plan(6 + cls->crypto + 4 * unbind + (rmmod ? 8 : 0));
	tap_diag("%s, seed %llu, %d processes (%d at a time) or %ld s, "
		 "%d unbinds%s", cls->module, seed, procs, parallel, seconds,
		 unbind, rmmod ? ", rmmod" : "");
	if (!tap_ok(!find_pdev(), "a %s device: %s on %s", cls->module, name,
		    pdev))
		return tap_done();
	avail0 = available();
	tap_ok(avail0 > parallel, "%ld queues free, more than %d", avail0,
	       parallel);
	clock_gettime(CLOCK_MONOTONIC, &t0);
	test_kill_storm(procs, seconds);
	test_unbind(unbind);
	if (rmmod)
		test_rmmod();
	tap_diag("took %ld ms", vzip_ms_since(&t0));
	return tap_done();
}
