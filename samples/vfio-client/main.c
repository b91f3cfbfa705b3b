// SPDX-License-Identifier: GPL-2.0
/*
 * vfio-client: a small VMM-style program for a vzip vfio-pci mdev instance.
 *
 * It does what QEMU does for an assigned PCI function, without a guest:
 * owns the device through VFIO (vfio.c), gives it "guest RAM" of its own at
 * chosen IOVAs and takes its interrupts through eventfds (machine.c),
 * drives the function with a guest-style driver (vzpci.c); then it
 * compresses and decompresses data through the device and checks every
 * result with zlib (workload.c), or drives the device's error paths on
 * purpose for tests (checks.c), or migrates the device mid-run, to a
 * second instance or a file (migration.c).  With --vcrypt it drives a
 * vcrypt instance instead and checks its digests and ciphers against
 * libcrypto (vcrypt.c).
 *
 *   vfio-client [options] UUID
 *   vfio-client --mig-info FILE
 *
 * Documentation/vfio-client.rst has the options and the walk-through.
 */
#include <ctype.h>
#include <errno.h>
#include <getopt.h>
#include <limits.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "client.h"

/* ---- command line ---- */

static void usage(FILE *f)
{
	fprintf(f,
"usage: vfio-client [options] UUID\n"
"       vfio-client --mig-info FILE\n"
"Own the vzip vfio-pci mdev instance UUID as a VMM would, compress and\n"
"decompress through it, check every result with zlib.\n"
"\n"
"  -i, --input FILE      data to compress (default: generated text)\n"
"  -o, --output FILE     write the compressed data (gzip: one member per chunk)\n"
"      --size BYTES      size of the generated data (default 1048576)\n"
"  -q, --queues N        queues to use (default 1)\n"
"  -n, --inflight N      round trips in flight per queue (default 4)\n"
"  -r, --requests N      round trips to run (default: one per chunk)\n"
"  -c, --chunk BYTES     bytes per request (default 65536)\n"
"  -l, --level N         compression level 1-9 (default 6)\n"
"  -f, --format F        gzip, zlib or raw (default gzip)\n"
"      --window N        window bits 9-15 (default 15)\n"
"      --depth N         ring entries, a power of 2 (default 64)\n"
"      --irq MODE        msi, intx or poll (default msi)\n"
"      --duration S      run round trips for S seconds, print how many\n"
"      --timeout S       fail when no completion comes for S seconds (60)\n"
"      --bad-iova WHAT   src, dst, ctx, sq or cq at an unmapped IOVA\n"
"      --unmap-inflight  unmap the data with requests in flight\n"
"      --reset           VFIO_DEVICE_RESET and DEV_CTRL reset, in flight\n"
"      --hang            never exit by itself (run until killed)\n"
"      --handle-request  exit when the host asks for the device back\n"
"  -v, --verbose\n"
"\n"
"Migration (VFIO migration v2):\n"
"      --migrate-to UUID2  halfway through the requests, with some in flight,\n"
"                        move the device's state to instance UUID2 (same\n"
"                        type) and finish the run there; dirty pages tracked\n"
"      --save FILE       halfway through, stop the device, write its state\n"
"                        to FILE (opened in STOP_COPY: a FIFO works)\n"
"      --resume FILE     load the state in FILE into the device (exit 1 if\n"
"                        refused), then reset it and run a round trip\n"
"      --mig-info FILE   print the header of a saved state, check its CRCs\n"
"\n"
"vcrypt (a vcrypt-vqN instance instead of vzip's):\n"
"      --vcrypt          NOP, SHA-256, KEY_LOAD, AES-CBC both ways, each\n"
"                        result checked against OpenSSL's libcrypto; a\n"
"                        source at an unmapped IOVA (ADDR_ERROR), a bad\n"
"                        descriptor (INVALID), then both again; no migration\n"
"                        (takes --depth, --irq, --timeout, -v)\n"
"\n"
"Exit: 0 ok, 1 the device did wrong (--resume: refused the state;\n"
"--mig-info: not a well-formed state), 2 usage, 3 set-up failed,\n"
"4 released the device at the host's request.\n");
}

static int parse_num(const char *name, const char *s, unsigned long long min,
		     unsigned long long max, unsigned long long *out)
{
	char *end;
	unsigned long long v;

	/* strtoull() takes "-1" for ULLONG_MAX: digits only */
	errno = 0;
	v = strtoull(s, &end, 0);
	if (!isdigit((unsigned char)*s) || errno || *end || v < min ||
	    v > max) {
		vc_err("--%s: '%s' is not a number in %llu..%llu", name, s, min, max);
		return -EINVAL;
	}
	*out = v;
	return 0;
}

/* The error check of the run: one of --bad-iova, --unmap-inflight, --reset. */
static int set_check(struct vc_opts *o, enum vc_check check)
{
	if (o->check && o->check != check) {
		vc_err("--bad-iova, --unmap-inflight and --reset go alone");
		return -EINVAL;
	}
	o->check = check;
	return 0;
}

static int parse_opts(struct vc_opts *o, int argc, char **argv)
{
	enum { O_SIZE = 256, O_WINDOW, O_DEPTH, O_IRQ, O_DURATION, O_TIMEOUT,
	       O_BAD, O_UNMAP, O_RESET, O_HANG, O_HANDLE, O_MIGRATE_TO, O_SAVE,
	       O_RESUME, O_MIG_INFO, O_VCRYPT };
	static const struct option longopts[] = {
		{ "input", required_argument, NULL, 'i' },
		{ "output", required_argument, NULL, 'o' },
		{ "size", required_argument, NULL, O_SIZE },
		{ "queues", required_argument, NULL, 'q' },
		{ "inflight", required_argument, NULL, 'n' },
		{ "requests", required_argument, NULL, 'r' },
		{ "chunk", required_argument, NULL, 'c' },
		{ "level", required_argument, NULL, 'l' },
		{ "format", required_argument, NULL, 'f' },
		{ "window", required_argument, NULL, O_WINDOW },
		{ "depth", required_argument, NULL, O_DEPTH },
		{ "irq", required_argument, NULL, O_IRQ },
		{ "duration", required_argument, NULL, O_DURATION },
		{ "timeout", required_argument, NULL, O_TIMEOUT },
		{ "bad-iova", required_argument, NULL, O_BAD },
		{ "unmap-inflight", no_argument, NULL, O_UNMAP },
		{ "reset", no_argument, NULL, O_RESET },
		{ "hang", no_argument, NULL, O_HANG },
		{ "handle-request", no_argument, NULL, O_HANDLE },
		{ "migrate-to", required_argument, NULL, O_MIGRATE_TO },
		{ "save", required_argument, NULL, O_SAVE },
		{ "resume", required_argument, NULL, O_RESUME },
		{ "mig-info", required_argument, NULL, O_MIG_INFO },
		{ "vcrypt", no_argument, NULL, O_VCRYPT },
		{ "verbose", no_argument, NULL, 'v' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	unsigned long long v;
	int opt, ret = 0;

	*o = (struct vc_opts){
		.size = 1 << 20, .queues = 1, .inflight = 4, .chunk = 65536,
		.level = VZIP_LEVEL_DEFAULT, .format = VZIP_FMT_GZIP,
		.window = VZIP_WINDOW_BITS_MAX, .depth = 64,
		.irq = VC_IRQ_MSI, .timeout = 60,
	};
	while (!ret && (opt = getopt_long(argc, argv, "i:o:q:n:r:c:l:f:vh",
					  longopts, NULL)) != -1) {
		switch (opt) {
		case 'i': o->input = optarg; break;
		case 'o': o->output = optarg; break;
		case O_SIZE:
			ret = parse_num("size", optarg, 1, 256 << 20, &v);
			o->size = v;
			break;
		case 'q':
			ret = parse_num("queues", optarg, 1, WD_PCI_MAX_QUEUES, &v);
			o->queues = (unsigned int)v;
			break;
		case 'n':
			ret = parse_num("inflight", optarg, 1, 4096, &v);
			o->inflight = (unsigned int)v;
			break;
		case 'r':
			ret = parse_num("requests", optarg, 1, ULLONG_MAX, &v);
			o->requests = v;
			break;
		case 'c':
			ret = parse_num("chunk", optarg, 1, 64 << 20, &v);
			o->chunk = (uint32_t)v;
			break;
		case 'l':
			ret = parse_num("level", optarg, VZIP_LEVEL_MIN,
					VZIP_LEVEL_MAX, &v);
			o->level = (unsigned int)v;
			break;
		case 'f':
			if (!strcmp(optarg, "gzip"))
				o->format = VZIP_FMT_GZIP;
			else if (!strcmp(optarg, "zlib"))
				o->format = VZIP_FMT_ZLIB;
			else if (!strcmp(optarg, "raw"))
				o->format = VZIP_FMT_RAW;
			else {
				vc_err("--format: '%s' is not gzip, zlib or raw", optarg);
				ret = -EINVAL;
			}
			break;
		case O_WINDOW:
			ret = parse_num("window", optarg, VZIP_WINDOW_BITS_MIN,
					VZIP_WINDOW_BITS_MAX, &v);
			o->window = (unsigned int)v;
			break;
		case O_DEPTH:
			ret = parse_num("depth", optarg, 2, 65536, &v);
			o->depth = (uint32_t)v;
			if (!ret && (v & (v - 1))) {
				vc_err("--depth: %llu is not a power of 2", v);
				ret = -EINVAL;
			}
			break;
		case O_IRQ:
			if (!strcmp(optarg, "msi"))
				o->irq = VC_IRQ_MSI;
			else if (!strcmp(optarg, "intx"))
				o->irq = VC_IRQ_INTX;
			else if (!strcmp(optarg, "poll"))
				o->irq = VC_IRQ_POLL;
			else {
				vc_err("--irq: '%s' is not msi, intx or poll", optarg);
				ret = -EINVAL;
			}
			break;
		case O_DURATION:
			ret = parse_num("duration", optarg, 1, 86400, &v);
			o->duration = (unsigned int)v;
			break;
		case O_TIMEOUT:
			ret = parse_num("timeout", optarg, 1, 86400, &v);
			o->timeout = (unsigned int)v;
			break;
		case O_BAD:
			if (!strcmp(optarg, "src"))
				ret = set_check(o, VC_CHECK_BAD_SRC);
			else if (!strcmp(optarg, "dst"))
				ret = set_check(o, VC_CHECK_BAD_DST);
			else if (!strcmp(optarg, "ctx"))
				ret = set_check(o, VC_CHECK_BAD_CTX);
			else if (!strcmp(optarg, "sq"))
				ret = set_check(o, VC_CHECK_BAD_SQ);
			else if (!strcmp(optarg, "cq"))
				ret = set_check(o, VC_CHECK_BAD_CQ);
			else {
				vc_err("--bad-iova: '%s' is not src, dst, ctx, sq or cq", optarg);
				ret = -EINVAL;
			}
			break;
		case O_UNMAP:
			ret = set_check(o, VC_CHECK_UNMAP);
			break;
		case O_RESET:
			ret = set_check(o, VC_CHECK_RESET);
			break;
		case O_HANG: o->hang = 1; break;
		case O_HANDLE: o->handle_request = 1; break;
		case O_MIGRATE_TO:
		case O_SAVE:
		case O_RESUME:
		case O_MIG_INFO:
			if (o->mig) {
				vc_err("--migrate-to, --save, --resume and --mig-info go alone");
				ret = -EINVAL;
				break;
			}
			o->mig = opt == O_MIGRATE_TO ? VC_MIG_TO :
				 opt == O_SAVE ? VC_MIG_SAVE :
				 opt == O_RESUME ? VC_MIG_RESUME : VC_MIG_INFO;
			o->mig_arg = optarg;
			break;
		case O_VCRYPT: o->vcrypt = 1; break;
		case 'v': o->verbose = 1; break;
		case 'h': usage(stdout); exit(VC_EXIT_OK);
		default: ret = -EINVAL; break;
		}
	}
	if (ret)
		return ret;
	if (o->mig == VC_MIG_INFO) {
		if (optind != argc) {
			vc_err("--mig-info reads a file: no instance UUID");
			return -EINVAL;
		}
		return 0;
	}
	if (optind != argc - 1) {
		vc_err("expected one instance UUID (see --help)");
		return -EINVAL;
	}
	o->uuid = argv[optind];
	if (o->vcrypt && (o->input || o->output || o->requests || o->duration ||
			  o->check || o->hang || o->handle_request || o->mig ||
			  o->queues != 1)) {
		vc_err("--vcrypt goes with --depth, --irq, --timeout and -v only");
		return -EINVAL;
	}
	if (!o->vcrypt && o->inflight > o->depth) {
		vc_err("--inflight %u exceeds the ring depth %u", o->inflight, o->depth);
		return -EINVAL;
	}
	if (o->output && (o->requests || o->duration || o->hang || o->check ||
			  o->mig == VC_MIG_SAVE || o->mig == VC_MIG_RESUME)) {
		vc_err("--output goes with a plain run over the input");
		return -EINVAL;
	}
	if (o->mig && (o->check || o->hang || o->duration)) {
		vc_err("--migrate-to, --save and --resume go with a run of a known number of requests");
		return -EINVAL;
	}
	if (o->mig == VC_MIG_TO && !strcmp(o->mig_arg, o->uuid)) {
		vc_err("--migrate-to %s: the destination is the source", o->mig_arg);
		return -EINVAL;
	}
	return 0;
}

/* ---- the VMM ---- */

/* Everything up to a device ready to take requests. */
static int vc_setup(struct vc_client *c)
{
	size_t ring_bytes;
	int ret;

	ret = vc_vfio_open(&c->vfio, c->o.uuid, c->o.verbose);
	if (ret)
		return ret;
	ret = vz_pci_probe(&c->pci, &c->vfio, c->o.verbose);
	if (ret)
		return ret;
	if (c->o.queues > c->pci.nr_queues) {
		vc_err("--queues %u: the instance has %u", c->o.queues,
		       c->pci.nr_queues);
		return -EINVAL;
	}
	if (c->o.depth > c->pci.max_depth) {
		vc_err("--depth %u: the device takes at most %u", c->o.depth,
		       c->pci.max_depth);
		return -EINVAL;
	}
	c->nq = c->o.queues;
	ring_bytes = (size_t)c->nq * c->o.depth *
		     (sizeof(struct vzip_sqe) + sizeof(struct vzip_cqe));
	ret = vc_ram_create(c, &c->rings, VC_IOVA_RINGS, ring_bytes);
	if (ret)
		return ret;
	ret = vc_irqs_setup(c);
	if (!ret)
		ret = vc_queues_setup(c);
	return ret;
}

static void vc_teardown(struct vc_client *c)
{
	unsigned int i;

	/*
	 * A driver quiesces its device before it lets go of the memory; one
	 * stopped for migration takes no register writes, and does nothing.
	 */
	if (c->vfio.device >= 0 && !c->stopped)
		for (i = 0; i < c->nq; i++)
			vz_queue_disable(&c->q[i]);
	vc_irqs_teardown(c);
	vc_ram_destroy(c, &c->data);
	vc_ram_destroy(c, &c->rings);
	vc_workload_free(c);
	vc_vfio_close(&c->vfio);
	vc_mig_free(c);
}

/*
 * --resume: load the state, then, whether the device took it or not, a
 * round trip after the reset that follows.  That failure comes first,
 * then the device's verdict on the state.
 */
static int vc_resume(struct vc_client *c)
{
	int verdict, ret = vc_mig_resume(c, &verdict);

	if (!ret)
		ret = vc_workload_run(c, 1);
	if (ret)
		return ret;
	printf("vfio-client: after VFIO_DEVICE_RESET the device is RUNNING and works\n");
	return verdict;
}

/* --hang after an error: a stuck VMM, killed from outside or released. */
static int vc_stuck(struct vc_client *c)
{
	printf("vfio-client: stuck, waiting to be killed\n");
	fflush(stdout);
	for (;;) {
		if (c->req_fd >= 0) {
			struct pollfd pfd = { .fd = c->req_fd, .events = POLLIN };

			if (poll(&pfd, 1, -1) == 1)
				return -ECANCELED;
		} else {
			pause();
		}
	}
}

int main(int argc, char **argv)
{
	struct vc_client *c;
	int ret, code;

	signal(SIGPIPE, SIG_IGN);
	c = calloc(1, sizeof(*c));
	if (!c) {
		vc_err("out of memory");
		return VC_EXIT_SETUP;
	}
	c->req_fd = -1;
	if (parse_opts(&c->o, argc, argv)) {
		free(c);
		return VC_EXIT_USAGE;
	}
	if (c->o.mig == VC_MIG_INFO) {
		code = vc_mig_info(c->o.mig_arg);
		free(c);
		return code;
	}

	if (c->o.vcrypt) {
		ret = vc_vcrypt_run(c);
		code = !ret ? VC_EXIT_OK : c->setup_failed ? VC_EXIT_SETUP :
		       VC_EXIT_FAIL;
		goto out;
	}

	ret = vc_setup(c);
	/* data memory: the input and the slots' buffers, at VC_IOVA_DATA */
	if (!ret)
		ret = vc_workload_prepare(c);
	/* the destination instance, the state file */
	if (!ret && c->o.mig)
		ret = vc_mig_prepare(c);
	if (ret) {
		code = ret == -ECANCELED ? VC_EXIT_RELEASED : VC_EXIT_SETUP;
		goto out;
	}

	if (c->o.check != VC_CHECK_NONE)
		ret = vc_check_run(c);
	else if (c->o.mig == VC_MIG_RESUME)
		ret = vc_resume(c);
	else
		ret = vc_workload_run(c, c->o.hang ? UINT64_MAX : c->o.requests);
	if (!ret && c->o.mig == VC_MIG_TO)
		ret = vc_mig_finish(c);

	if (ret && ret != -ECANCELED && c->o.hang)
		ret = vc_stuck(c);
	if (ret == -ECANCELED) {
		printf("vfio-client: the host asked for the device back (request interrupt): releasing it\n");
		code = c->o.hang ? VC_EXIT_OK : VC_EXIT_RELEASED;
	} else {
		code = !ret ? VC_EXIT_OK : c->setup_failed ? VC_EXIT_SETUP :
		       VC_EXIT_FAIL;
	}
out:
	fflush(stdout);
	vc_teardown(c);
	free(c);
	return code;
}
