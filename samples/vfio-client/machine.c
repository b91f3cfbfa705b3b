// SPDX-License-Identifier: GPL-2.0
/*
 * vfio-client: the machine this VMM gives the device, shared by main.c,
 * workload.c, checks.c and migration.c: "guest RAM" (DMA mappings at
 * chosen IOVAs), interrupts through eventfds and the wait for them, the
 * queues' rings, and one request run to its completion.  It calls only
 * vfio.c and vzpci.c, never up into the files that use it.
 */
#include <errno.h>
#include <poll.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/mman.h>
#include <time.h>
#include <unistd.h>

#include "client.h"

#define PAGE	4096ul

static size_t round_up(size_t v, size_t a)
{
	return (v + a - 1) / a * a;
}

/* ---- guest RAM ---- */

/* A DMA mapping of @size fresh bytes at @iova. */
int vc_ram_create(struct vc_client *c, struct vc_ram *ram, uint64_t iova,
		  size_t size)
{
	ram->size = round_up(size, PAGE);
	ram->iova = iova;
	ram->used = 0;
	ram->host = mmap(NULL, ram->size, PROT_READ | PROT_WRITE,
			 MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (ram->host == MAP_FAILED) {
		ram->host = NULL;
		vc_err("cannot allocate %zu bytes of guest RAM", ram->size);
		return -ENOMEM;
	}
	if (vc_dma_map(&c->vfio, ram->host, iova, ram->size))
		return -EIO;
	ram->mapped = 1;
	return 0;
}

void vc_ram_destroy(struct vc_client *c, struct vc_ram *ram)
{
	if (ram->mapped)
		vc_dma_unmap(&c->vfio, ram->iova, ram->size);
	if (ram->host)
		munmap(ram->host, ram->size);
	memset(ram, 0, sizeof(*ram));
}

/**
 * vc_ram_alloc() - carve @size bytes aligned to @align out of @ram
 * @host: set to our address, @iova to the device's
 */
int vc_ram_alloc(struct vc_ram *ram, size_t size, size_t align,
		 uint8_t **host, uint64_t *iova)
{
	size_t off = round_up(ram->used, align);

	if (off + size > ram->size)
		return -ENOMEM;
	ram->used = off + size;
	*host = ram->host + off;
	*iova = ram->iova + off;
	return 0;
}

/* ---- interrupts ---- */

static int vc_new_eventfd(void)
{
	int fd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);

	if (fd < 0)
		vc_err("eventfd: %s", strerror(errno));
	return fd;
}

/*
 * Completion interrupts: one eventfd per MSI vector (queue q signals vector
 * q % vectors), or one for INTx, or none when polling.  The request
 * interrupt's eventfd, when asked for, tells us the host wants the device
 * back (its removal waits for us to close it).
 */
int vc_irqs_setup(struct vc_client *c)
{
	struct vc_vfio *v = &c->vfio;
	unsigned int index, i;
	int ret;

	if (c->o.handle_request && c->req_fd < 0) {
		if (v->irq_count[VFIO_PCI_REQ_IRQ_INDEX] < 1) {
			vc_err("the device has no request interrupt");
			return -EOPNOTSUPP;
		}
		c->req_fd = vc_new_eventfd();
		if (c->req_fd < 0)
			return -EIO;
		ret = vc_irq_set_eventfds(v, VFIO_PCI_REQ_IRQ_INDEX, &c->req_fd, 1);
		if (ret)
			return ret;
	}
	if (c->o.irq == VC_IRQ_POLL)
		return 0;

	index = c->o.irq == VC_IRQ_MSI ? VFIO_PCI_MSI_IRQ_INDEX : VFIO_PCI_INTX_IRQ_INDEX;
	if (!c->nirq) {
		c->nirq = c->o.irq == VC_IRQ_MSI ? c->nq : 1;
		if (c->nirq > v->irq_count[index])
			c->nirq = v->irq_count[index];
		if (!c->nirq) {
			vc_err("the device has no %s interrupt",
			       c->o.irq == VC_IRQ_MSI ? "MSI" : "INTx");
			return -EOPNOTSUPP;
		}
		for (i = 0; i < c->nirq; i++) {
			c->irq_fd[i] = vc_new_eventfd();
			if (c->irq_fd[i] < 0)
				return -EIO;
		}
	}
	return vc_irq_set_eventfds(v, index, c->irq_fd, c->nirq);
}

void vc_irqs_teardown(struct vc_client *c)
{
	unsigned int i;

	if (c->nirq && c->vfio.device >= 0)
		vc_irq_disable(&c->vfio, c->o.irq == VC_IRQ_MSI ?
			       VFIO_PCI_MSI_IRQ_INDEX : VFIO_PCI_INTX_IRQ_INDEX);
	for (i = 0; i < c->nirq; i++)
		close(c->irq_fd[i]);
	c->nirq = 0;
	if (c->req_fd >= 0) {
		if (c->vfio.device >= 0)
			vc_irq_disable(&c->vfio, VFIO_PCI_REQ_IRQ_INDEX);
		close(c->req_fd);
		c->req_fd = -1;
	}
}

/* INTx: acknowledge in the device (IRQ_STATUS is write 1 to clear), unmask. */
static int vc_intx_ack(struct vc_client *c)
{
	uint32_t sts;
	int ret = vz_reg_read(&c->pci, WD_PCI_REG_IRQ_STATUS, &sts);

	if (!ret && sts)
		ret = vz_reg_write(&c->pci, WD_PCI_REG_IRQ_STATUS, sts);
	if (!ret)
		ret = vc_irq_unmask(&c->vfio, VFIO_PCI_INTX_IRQ_INDEX);
	return ret;
}

/**
 * vc_wait() - sleep until an interrupt or @timeout_ms
 *
 * Returns 1 after an interrupt, 0 after the timeout, -ECANCELED when the
 * host asked for the device back, or another negative errno.  The caller
 * looks at every queue afterwards: a vector may stand for several queues.
 */
int vc_wait(struct vc_client *c, int timeout_ms)
{
	struct pollfd pfd[WD_PCI_MAX_QUEUES + 1];
	unsigned int n = 0, i;
	uint64_t cnt;
	int ret, fired = 0;

	for (i = 0; i < c->nirq; i++)
		pfd[n++] = (struct pollfd){ .fd = c->irq_fd[i], .events = POLLIN };
	if (c->req_fd >= 0)
		pfd[n++] = (struct pollfd){ .fd = c->req_fd, .events = POLLIN };
	if (!n) {
		/* polling mode: do not spin on the trap, take a short nap */
		struct timespec ts = { 0, 200000 };

		nanosleep(&ts, NULL);
		return 0;
	}
	ret = poll(pfd, n, timeout_ms);
	if (ret < 0) {
		if (errno == EINTR)
			return 0;
		ret = -errno;
		vc_err("poll: %s", strerror(-ret));
		return ret;
	}
	for (i = 0; i < n; i++) {
		if (!(pfd[i].revents & POLLIN))
			continue;
		if (read(pfd[i].fd, &cnt, sizeof(cnt)) != sizeof(cnt))
			continue;
		if (pfd[i].fd == c->req_fd) {
			c->released = 1;
			continue;
		}
		fired = 1;
	}
	if (c->released)
		return -ECANCELED;
	if (fired) {
		c->interrupts++;
		if (c->o.irq == VC_IRQ_INTX) {
			ret = vc_intx_ack(c);
			if (ret)
				return ret;
		}
	}
	return fired;
}

/* ---- queues ---- */

/*
 * Rings for every queue we use, in the rings mapping, programmed and
 * enabled.  Called again after a reset, with the same memory.
 */
int vc_queues_setup(struct vc_client *c)
{
	size_t sq_bytes = (size_t)c->o.depth * sizeof(struct vzip_sqe);
	size_t cq_bytes = (size_t)c->o.depth * sizeof(struct vzip_cqe);
	unsigned int i;
	int ret;

	for (i = 0; i < c->nq; i++) {
		uint8_t *base = c->rings.host + i * (sq_bytes + cq_bytes);
		uint64_t iova = c->rings.iova + i * (sq_bytes + cq_bytes);

		memset(base, 0, sq_bytes + cq_bytes);
		ret = vz_queue_init(&c->q[i], &c->pci, i, c->o.depth, base, iova,
				    base + sq_bytes, iova + sq_bytes);
		if (!ret)
			ret = vz_queue_enable(&c->q[i], c->o.irq != VC_IRQ_POLL);
		if (ret)
			return ret;
	}
	return 0;
}

/**
 * vc_run_one() - submit one request on @q and wait for its completion
 */
int vc_run_one(struct vc_client *c, struct vz_queue *q,
	       const struct vzip_sqe *sqe, struct vzip_cqe *cqe)
{
	time_t deadline = time(NULL) + c->o.timeout;
	int ret = vz_queue_submit(q, sqe);

	if (!ret)
		ret = vz_queue_doorbell(q);
	while (!ret) {
		ret = vz_queue_reap(q, cqe, 1);
		if (ret == 1) {
			if (cqe->status < 8)
				c->stats[cqe->status]++;
			return 0;
		}
		if (ret)
			break;
		if (time(NULL) > deadline) {
			vc_err("queue %u: no completion within %u s", q->idx,
			       c->o.timeout);
			return -ETIMEDOUT;
		}
		ret = vc_wait(c, 1000);
		if (ret > 0)
			ret = 0;
	}
	return ret;
}
