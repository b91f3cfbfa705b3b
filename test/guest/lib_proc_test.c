// SPDX-License-Identifier: GPL-2.0
/*
 * libwarpdrive across processes and device failures, on vzip:
 *
 *   lib_proc_test            fork, many processes at once, kill -9 with
 *                            requests in flight, running out of queues
 *   lib_proc_test unbind     the device unbound under running sessions
 *                            (clean error or transparent fallback; with
 *                            two devices, streams move to the other)
 *   lib_proc_test isolate    hardware errors isolate the device; the
 *                            library notices and falls back
 *   lib_proc_test unbind crypto
 *                            and then the same unbind on vcrypt: a thread's
 *                            request in flight gets -ECANCELED (or
 *                            -ENODEV, -EIO), open streams and later
 *                            calls -ENODEV or -EIO (<warpdrive/common.h>,
 *                            Documentation/libwarpdrive.rst, "fork(),
 *                            failures and removal"), policy auto gives
 *                            the same bytes in software, the device
 *                            rebound works
 *
 * Every case that could crash runs in a child, so a crash is a failed
 * case, not a lost test.
 */
#include <dirent.h>
#include <errno.h>
#include <pthread.h>
#include <fcntl.h>
#include <signal.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>
#include <zlib.h>

#include <warpdrive/warpdrive.h>
#include "tap.h"

static unsigned char *make_data(size_t len, unsigned int seed)
{
	static const char *const words[] = {
		"fork ", "process ", "queue ", "kill ", "device ", "the ",
		"stream\n", "of ", "unbind ", "99 ",
	};
	unsigned char *p = malloc(len ? len : 1);
	size_t i = 0;

	while (i < len) {
		const char *w;

		seed = seed * 1103515245 + 12345;
		w = words[(seed >> 16) % 10];
		while (*w && i < len)
			p[i++] = (unsigned char)*w++;
	}
	return p;
}

static bool gunzip_check(const unsigned char *comp, size_t clen,
			 const unsigned char *ref, size_t len)
{
	unsigned char *out = malloc(len + 1);
	z_stream z = { 0 };
	bool ok;

	inflateInit2(&z, 31);
	z.next_in = (Bytef *)comp;
	z.avail_in = (uInt)clen;
	z.next_out = out;
	z.avail_out = (uInt)len + 1;
	ok = inflate(&z, Z_FINISH) == Z_STREAM_END && z.total_out == len &&
	     !memcmp(out, ref, len);
	inflateEnd(&z);
	free(out);
	return ok;
}

/* One gzip compression on @c, checked; the path it took in *@path. */
static bool compress_ok(struct wd_comp *c, size_t len, unsigned int seed,
			unsigned int *path)
{
	unsigned char *data = make_data(len, seed);
	size_t n = wd_compress_bound(WD_FORMAT_GZIP, len);
	unsigned char *out = malloc(n);
	bool ok = !wd_compress(c, data, len, out, &n) &&
		  gunzip_check(out, n, data, len);

	if (path)
		*path = wd_comp_path(c, NULL);
	free(data);
	free(out);
	return ok;
}

static struct wd_comp *session(enum wd_policy policy)
{
	struct wd_comp_params p = { .format = WD_FORMAT_GZIP,
				    .policy = policy,
				    .flags = WD_COMP_F_THRESHOLD };
	struct wd_comp *c = NULL;

	return wd_comp_open(&c, &p) ? NULL : c;
}

/* Runs @fn in a child; its exit status, or 128 + signal if it died. */
static int in_child(int (*fn)(void *), void *arg)
{
	pid_t pid = fork();
	int st;

	if (pid == 0)
		_exit(fn(arg));
	if (pid < 0 || waitpid(pid, &st, 0) < 0)
		return -1;
	return WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
}

static int read_int(const char *path)
{
	char buf[32] = "";
	int fd = open(path, O_RDONLY), n;

	if (fd < 0)
		return -1;
	n = (int)read(fd, buf, sizeof(buf) - 1);
	close(fd);
	return n > 0 ? atoi(buf) : -1;
}

static int write_str(const char *path, const char *s)
{
	int fd = open(path, O_WRONLY), n;

	if (fd < 0)
		return -errno;
	n = (int)write(fd, s, strlen(s));
	close(fd);
	return n == (int)strlen(s) ? 0 : -errno;
}

/* Name of the first vzip device, e.g. "vzip-0". */
static const char *first_device(void)
{
	static struct wd_device devs[16];
	int n = wd_devices(devs, 16);

	for (int i = 0; i < n && i < 16; i++)
		if (!strcmp(devs[i].api, VZIP_API_VERSION))
			return devs[i].name;
	return NULL;
}

/* Queues of @dev this process holds: its open files of /dev/@dev. */
static int queues_held(const char *dev)
{
	char want[80], link[64], target[80];
	DIR *dir = opendir("/proc/self/fd");
	struct dirent *d;
	int n = 0;

	if (!dir)
		return -1;
	snprintf(want, sizeof(want), "/dev/%s", dev);
	while ((d = readdir(dir))) {
		ssize_t len;

		snprintf(link, sizeof(link), "/proc/self/fd/%.40s", d->d_name);
		len = readlink(link, target, sizeof(target) - 1);
		if (len <= 0)
			continue;
		target[len] = '\0';
		n += !strcmp(target, want);
	}
	closedir(dir);
	return n;
}

/*
 * Waits until every queue of @dev that this process does not hold is
 * free, and returns how many are (-1 after 60 s).  A process that exited
 * gives its queue back only when its last mm user lets go, and that may
 * be the engine (mmput_async() after it pinned a request's pages): the
 * queue comes back from a workqueue some time after waitpid().
 */
static int wait_all_free(const char *dev)
{
	char path[128];
	int total = read_int("/sys/module/vzip/parameters/queues");

	snprintf(path, sizeof(path), "/sys/class/uacce/%s/available_instances",
		 dev ? dev : "none");
	for (int i = 0; dev && total > 0 && i < 6000; i++) {
		int avail = read_int(path), held = queues_held(dev);

		if (avail < 0 || held < 0)
			break;
		if (avail + held == total) {
			if (i)
				tap_diag("%s: every queue back after %d ms",
					 dev, i * 10);
			return avail;
		}
		usleep(10000);
	}
	tap_diag("%s: not every queue came back (%d free, %d held, %d in all)",
		 dev ? dev : "no device", read_int(path),
		 dev ? queues_held(dev) : -1, total);
	return -1;
}

/* ---- fork ---- */

struct fork_arg {
	struct wd_comp *c;
	struct wd_stream *s;
	struct wd_queue *q;
	unsigned char *data;
	size_t len;
	unsigned char *out;
	size_t n;
};

static int child_uses_session(void *arg)
{
	struct fork_arg *a = arg;
	unsigned int path;
	struct vzip_sqe sqe = { .opcode = VZIP_OP_NOP,
				.version = VZIP_SQE_VERSION };
	const void *in;
	size_t il, room;
	void *o;
	int ret;

	/* the parent's session, transparently on a queue of the child's */
	if (!compress_ok(a->c, 300000, 1, &path) || path != WD_PATH_HW)
		return 1;
	/* the parent's raw queue is not the child's */
	if (wd_queue_submit(a->q, &sqe, 1) != -ECHILD ||
	    wd_queue_check(a->q) != -ECHILD)
		return 2;
	/* the stream the parent started, finished by the child */
	in = a->data + a->len / 2;
	il = a->len - a->len / 2;
	o = a->out + a->n;
	room = 2 * a->len - a->n;
	ret = wd_stream_run(a->s, &in, &il, &o, &room, WD_FINISH);
	if (ret != WD_STREAM_END)
		return 3;
	if (!gunzip_check(a->out, 2 * a->len - room, a->data, a->len))
		return 4;
	return 0;
}

static void test_fork(void)
{
	struct fork_arg a = { 0 };
	unsigned int path;
	const void *in;
	void *o;
	size_t il, room;
	int st;

	a.c = session(WD_POLICY_HW);
	a.len = 400000;
	a.data = make_data(a.len, 9);
	a.out = malloc(2 * a.len);
	tap_ok(a.c && !wd_queue_open(&a.q, NULL) &&
	       compress_ok(a.c, 100000, 2, &path) && path == WD_PATH_HW,
	       "parent compresses on the device");
	wd_stream_open(&a.s, a.c, WD_DIR_COMPRESS);
	in = a.data;
	il = a.len / 2;
	o = a.out;
	room = 2 * a.len;
	wd_stream_run(a.s, &in, &il, &o, &room, WD_SYNC_FLUSH);
	a.n = 2 * a.len - room;

	st = in_child(child_uses_session, &a);
	tap_ok(st == 0,
	       "forked child: the parent's session works on its own queue, the parent's raw queue says -ECHILD, the parent's stream finishes (status %d)",
	       st);
	tap_ok(compress_ok(a.c, 100000, 3, &path) && path == WD_PATH_HW,
	       "parent still compresses on the device after the fork");
	in = a.data + a.len / 2;
	il = a.len - a.len / 2;
	o = a.out + a.n;
	room = 2 * a.len - a.n;
	tap_ok(wd_stream_run(a.s, &in, &il, &o, &room, WD_FINISH) ==
	       WD_STREAM_END &&
	       gunzip_check(a.out, 2 * a.len - room, a.data, a.len),
	       "and finishes its own copy of the stream");
	wd_stream_close(a.s);
	wd_queue_close(a.q);
	wd_comp_close(a.c);
	free(a.data);
	free(a.out);
}

/* ---- many processes ---- */

static int child_worker(void *arg)
{
	struct wd_comp *c = session(WD_POLICY_HW);
	unsigned int path;

	for (int i = 0; i < 15; i++)
		if (!c || !compress_ok(c, 65536 + i * 100,
				       (unsigned int)(uintptr_t)arg + i, &path) ||
		    path != WD_PATH_HW)
			return 1;
	wd_comp_close(c);
	return 0;
}

static void test_many(void)
{
	enum { P = 8 };
	pid_t pids[P];
	int ok = 0;

	for (int i = 0; i < P; i++) {
		pids[i] = fork();
		if (pids[i] == 0)
			_exit(child_worker((void *)(uintptr_t)i));
	}
	for (int i = 0; i < P; i++) {
		int st;

		if (pids[i] > 0 && waitpid(pids[i], &st, 0) == pids[i] &&
		    WIFEXITED(st) && !WEXITSTATUS(st))
			ok++;
	}
	tap_ok(ok == P, "%d processes at once, 15 checked compressions each: %d succeeded",
	       P, ok);
}

/* ---- kill -9 ---- */

static int child_busy(void *arg)
{
	struct wd_comp_params p = { .policy = WD_POLICY_HW, .depth = 64 };
	int *ready = arg;
	struct wd_req reqs[64], *ptrs[64];
	unsigned char *src = malloc(1 << 20), *dst = malloc(64u << 20);
	struct wd_comp *c;

	(void)ready;
	if (wd_comp_open(&c, &p))
		return 1;
	memset(src, 1, 1 << 20);
	for (int i = 0; i < 64; i++) {
		memset(&reqs[i], 0, sizeof(reqs[i]));
		reqs[i].op = WD_OP_COPY;
		reqs[i].src = src;
		reqs[i].src_len = 1 << 20;
		reqs[i].dst = dst + ((size_t)i << 20);
		reqs[i].dst_len = 1 << 20;
		ptrs[i] = &reqs[i];
	}
	for (;;) {
		struct wd_req *d[64];
		int n = wd_submit(c, ptrs, 64);

		(void)n;
		wd_poll(c, d, 64, 0, 0);
	}
}

static void test_kill(void)
{
	const char *dev = first_device();
	int before, after = -1;
	pid_t pid;

	/* the children of the tests before may still be giving theirs back */
	before = wait_all_free(dev);
	pid = fork();
	if (pid == 0)
		_exit(child_busy(NULL));
	usleep(300000);
	kill(pid, SIGKILL);
	waitpid(pid, NULL, 0);
	/* the queue is freed once the engine has let go of the process */
	if (before > 0)
		after = wait_all_free(dev);
	tap_ok(before > 0 && after == before,
	       "kill -9 with 1 MiB copies in flight: its queue comes back (%d free before, %d after)",
	       before, after);
	struct wd_comp *c = session(WD_POLICY_HW);
	unsigned int p;

	tap_ok(c && compress_ok(c, 100000, 5, &p) && p == WD_PATH_HW,
	       "and the device still works");
	wd_comp_close(c);
}

/* ---- out of queues ---- */

static void test_no_queue(void)
{
	struct wd_queue *qs[256];
	struct wd_comp *c;
	enum wd_reason why;
	int n = 0, ret = 0;
	size_t len = 100000, out_len;
	unsigned char *data = make_data(len, 4), *out;

	/*
	 * Only once no queue is on its way back is "all of them" all of
	 * them: one that came back later would go to the child below.
	 */
	int avail = wait_all_free(first_device());

	while (n < 256 && !(ret = wd_queue_open(&qs[n], NULL)))
		n++;
	tap_ok(n > 0 && n == avail && ret == -EBUSY,
	       "took all %d queues (%d were free); one more: -EBUSY (%d)",
	       n, avail, ret);
	/*
	 * This process holds its shared queue; a child has to find a queue
	 * of its own, and there is none.
	 */
	pid_t pid = fork();

	if (pid == 0) {
		struct wd_comp *a;

		if (wd_comp_open(&c, &(struct wd_comp_params){
					.policy = WD_POLICY_HW }) != -EBUSY)
			_exit(1);
		a = session(WD_POLICY_AUTO);
		out_len = wd_compress_bound(WD_FORMAT_GZIP, len);
		out = malloc(out_len);
		_exit(!a ? 2 : wd_compress(a, data, len, out, &out_len) ? 3 :
		      !gunzip_check(out, out_len, data, len) ? 4 :
		      wd_comp_path(a, &why) != WD_PATH_SW ? 5 :
		      why != WD_REASON_NO_QUEUE ? 6 : 0);
	}
	int st = -1;

	waitpid(pid, &st, 0);
	tap_ok(WIFEXITED(st) && WEXITSTATUS(st) != 1,
	       "policy hw with no free queue: -EBUSY");
	tap_ok(WIFEXITED(st) && !WEXITSTATUS(st),
	       "policy auto with no free queue: software, reason no-queue (%d)",
	       WIFEXITED(st) ? WEXITSTATUS(st) : -1);
	while (n > 0)
		wd_queue_close(qs[--n]);
	free(data);
}

/* ---- unbind ---- */

static char unbind_dev[64];	/* the platform device: vzip.N */

static int child_unbind(void *arg)
{
	size_t len = 3 << 20, n;
	unsigned char *data = make_data(len, 77);
	unsigned char *out = malloc(2 * len);
	struct wd_comp *hw = session(WD_POLICY_HW);
	struct wd_comp *au = session(WD_POLICY_AUTO);
	struct wd_stream *s;
	struct wd_stream_state st;
	unsigned int path;
	enum wd_reason why;
	const void *in;
	void *o;
	size_t il, room;
	int ret, two = *(int *)arg;

	if (!hw || !au || wd_stream_open(&s, hw, WD_DIR_COMPRESS))
		return 10;
	if (!compress_ok(au, 100000, 1, &path) || path != WD_PATH_HW)
		return 11;
	in = data;
	il = len / 2;
	o = out;
	room = 2 * len;
	if (wd_stream_run(s, &in, &il, &o, &room, WD_SYNC_FLUSH) < 0)
		return 12;

	/* the device goes away under the session, stream and all */
	if (write_str("/sys/bus/platform/drivers/vzip/unbind", unbind_dev))
		return 13;

	il = len - len / 2;
	ret = wd_stream_run(s, &in, &il, &o, &room, WD_FINISH);
	if (two) {
		/* another device continues the stream from its context */
		if (ret != WD_STREAM_END ||
		    !gunzip_check(out, 2 * len - room, data, len))
			return 20;
	} else if (ret != -ENODEV) {
		return 21;	/* a clean error, nothing else */
	}
	wd_stream_get_state(s, &st);
	wd_stream_close(s);

	/* one-shot: policy auto falls back (or moves), policy hw fails */
	if (!compress_ok(au, 200000, 2, &path))
		return 22;
	wd_comp_path(au, &why);
	if (!two && !(path & WD_PATH_SW))
		return 23;
	n = 2 * len;
	ret = wd_compress(hw, data, 100000, out, &n);
	if (two ? ret != 0 : ret != -ENODEV)
		return 24;

	/* wd_run(): the same, for any request */
	struct wd_req r = { .op = WD_OP_NOP };

	ret = wd_run(hw, &r);
	if (two ? ret || r.status || r.path != WD_PATH_HW : ret != -ENODEV)
		return 25;
	r = (struct wd_req){ .op = WD_OP_COPY, .src = data, .src_len = 100000,
			     .dst = out, .dst_len = 100000 };
	ret = wd_run(au, &r);
	if (ret || r.status || memcmp(out, data, 100000) ||
	    (!two && r.path != WD_PATH_SW))
		return 26;
	wd_comp_close(hw);
	wd_comp_close(au);
	return 0;
}

static int rebind(void)
{
	return write_str("/sys/bus/platform/drivers/vzip/bind", unbind_dev);
}

static void unbind_crypto(void);

/* vzip unbound under sessions; then vcrypt if @crypto */
static int unbind_main(bool crypto)
{
	char link[256], target[256];
	const char *dev = first_device();
	struct wd_device devs[16];
	int n = wd_devices(devs, 16), vzips = 0, two, st;
	ssize_t len;

	for (int i = 0; i < n && i < 16; i++)
		vzips += !strcmp(devs[i].api, VZIP_API_VERSION);
	two = vzips > 1;
	snprintf(link, sizeof(link), "/sys/class/uacce/%s/device",
		 dev ? dev : "none");
	len = readlink(link, target, sizeof(target) - 1);
	if (len <= 0) {
		tap_ok(0, "platform device of %s", dev ? dev : "(none)");
		return tap_done();
	}
	target[len] = '\0';
	snprintf(unbind_dev, sizeof(unbind_dev), "%.63s",
		 strrchr(target, '/') ? strrchr(target, '/') + 1 : target);
	tap_diag("unbinding %s (%s) with %d vzip devices", unbind_dev, dev,
		 vzips);

	st = in_child(child_unbind, &two);
	if (two)
		tap_ok(st == 0, "unbind mid-stream: the stream moves to the other device and ends valid; one-shots and wd_run() go on (status %d)",
		       st);
	else
		tap_ok(st == 0, "unbind mid-stream: the stream fails with -ENODEV, policy auto falls back to software, policy hw fails with -ENODEV (wd_compress() and wd_run()), nothing crashes (status %d)",
		       st);
	tap_ok(!rebind(), "bind the device again");
	usleep(200000);
	struct wd_comp *c = session(WD_POLICY_HW);
	unsigned int path;

	tap_ok(c && compress_ok(c, 100000, 8, &path) && path == WD_PATH_HW,
	       "a new session uses the device again");
	wd_comp_close(c);
	if (crypto)
		unbind_crypto();
	return tap_done();
}

/* ---- unbind of the crypto device ---- */

#define CR_LEN		(64 << 10)

static const unsigned char cr_key[32] = "unbind-crypto key of 32 bytes!!";
static const unsigned char cr_iv[WD_CRYPTO_IV_SIZE] = "the IV: 16 bytes";

static struct wd_crypto *cr_session(enum wd_crypto_alg alg,
				    enum wd_policy policy)
{
	struct wd_crypto_params p = {
		.alg = alg, .policy = policy, .flags = WD_CRYPTO_F_THRESHOLD,
	};
	struct wd_crypto *s = NULL;

	if (alg != WD_CRYPTO_SHA256) {
		p.key = cr_key;
		p.key_len = sizeof(cr_key);
	}
	return wd_crypto_open(&s, &p) ? NULL : s;
}

/* A call made after the removal: -ENODEV, or -EIO (libwarpdrive.rst). */
static bool gone(int ret)
{
	return ret == -ENODEV || ret == -EIO;
}

/*
 * A request in flight at the removal: completed as aborted, -ECANCELED
 * (<warpdrive/common.h>: "device removed"), or one of gone()'s.
 */
static bool aborted(int ret)
{
	return ret == -ECANCELED || gone(ret);
}

/* Says what a call returned, then whether it is what @ok wants. */
static bool said(const char *what, int ret, bool (*ok)(int))
{
	printf("# %s: %s\n", what, strerror(-ret));
	fflush(stdout);
	return ok(ret);
}

struct cr_thread {
	struct wd_crypto *s;
	const unsigned char *in;
	unsigned char *out;
	int ret;		/* the first error */
	unsigned long done;	/* requests that succeeded */
};

/* AES-CBC of CR_LEN on the device without end, until an error. */
static void *cr_loop(void *arg)
{
	struct cr_thread *t = arg;

	for (;;) {
		t->ret = wd_cipher(t->s, WD_ENCRYPT, cr_iv, sizeof(cr_iv),
				   t->in, CR_LEN, t->out);
		if (t->ret)
			return NULL;
		__atomic_add_fetch(&t->done, 1, __ATOMIC_RELEASE);
	}
}

static int child_unbind_crypto(void *arg)
{
	unsigned char *data = make_data(CR_LEN, 91), *ref = malloc(CR_LEN);
	unsigned char *out = malloc(CR_LEN), *tout = malloc(CR_LEN);
	struct wd_crypto *hw = cr_session(WD_CRYPTO_AES_CBC, WD_POLICY_HW);
	struct wd_crypto *au = cr_session(WD_CRYPTO_AES_CBC, WD_POLICY_AUTO);
	struct wd_crypto *sha = cr_session(WD_CRYPTO_SHA256, WD_POLICY_HW);
	struct wd_crypto *busy = cr_session(WD_CRYPTO_AES_CBC, WD_POLICY_HW);
	struct wd_crypto_stream *hs, *cs;
	struct cr_thread t = { .s = busy, .in = data, .out = tout };
	unsigned char md[WD_CRYPTO_DIGEST_MAX];
	size_t n, mdlen = sizeof(md);
	enum wd_reason why;
	pthread_t th;
	int ret;

	(void)arg;
	if (!hw || !au || !sha || !busy || !ref || !out || !tout)
		return 10;
	/* the device's answer, and both streams half-way on the device */
	if (wd_cipher(hw, WD_ENCRYPT, cr_iv, sizeof(cr_iv), data, CR_LEN, ref) ||
	    wd_crypto_path(hw, NULL) != WD_PATH_HW)
		return 11;
	if (wd_crypto_stream_open(&hs, sha, WD_ENCRYPT, NULL, 0) ||
	    wd_crypto_stream_update(hs, data, CR_LEN / 2, NULL, NULL) ||
	    wd_crypto_stream_open(&cs, hw, WD_ENCRYPT, cr_iv, sizeof(cr_iv)))
		return 12;
	n = CR_LEN;
	if (wd_crypto_stream_update(cs, data, CR_LEN / 2, out, &n) ||
	    n != CR_LEN / 2 || memcmp(out, ref, n))
		return 13;
	/* a thread mid-request: its requests take a while in the guest */
	if (pthread_create(&th, NULL, cr_loop, &t))
		return 14;
	while (!__atomic_load_n(&t.done, __ATOMIC_ACQUIRE) && !t.ret)
		usleep(1000);
	usleep(20000);

	/* the device goes away under all of them */
	if (write_str("/sys/bus/platform/drivers/vcrypt/unbind", unbind_dev))
		return 15;
	pthread_join(th, NULL);
	if (!said("the request in flight", t.ret, aborted))
		return 16;	/* a clean error */
	n = CR_LEN;
	ret = wd_crypto_stream_update(cs, data + CR_LEN / 2, CR_LEN / 2,
				      out + CR_LEN / 2, &n);
	if (!said("the CBC stream", ret, gone))
		return 17;
	ret = wd_crypto_stream_update(hs, data + CR_LEN / 2, CR_LEN / 2,
				      NULL, NULL);
	if (!ret)
		ret = wd_crypto_stream_final(hs, md, &mdlen);
	if (!said("the SHA-256 stream", ret, gone))
		return 18;
	wd_crypto_stream_close(hs);
	wd_crypto_stream_close(cs);
	/* one-shot: policy hw fails cleanly, policy auto gives the bytes */
	ret = wd_cipher(hw, WD_ENCRYPT, cr_iv, sizeof(cr_iv), data, CR_LEN, out);
	if (!said("policy hw's one-shot", ret, gone))
		return 19;
	memset(out, 0, CR_LEN);
	if (wd_cipher(au, WD_ENCRYPT, cr_iv, sizeof(cr_iv), data, CR_LEN, out) ||
	    memcmp(out, ref, CR_LEN))
		return 20;
	if (!(wd_crypto_path(au, &why) & WD_PATH_SW))
		return 21;
	wd_crypto_close(busy);
	wd_crypto_close(sha);
	wd_crypto_close(hw);
	wd_crypto_close(au);
	free(data);
	free(ref);
	free(out);
	free(tout);
	return 0;
}

static void unbind_crypto(void)
{
	char link[256], target[256], dev[64];
	struct wd_device devs[16];
	int n = wd_devices(devs, 16), st;
	struct wd_crypto *s;
	unsigned char md[WD_CRYPTO_DIGEST_MAX];
	size_t mdlen = sizeof(md);
	ssize_t len;

	dev[0] = '\0';
	for (int i = 0; i < n && i < 16 && !dev[0]; i++)
		if (!strcmp(devs[i].api, "vcrypt_v1"))
			snprintf(dev, sizeof(dev), "%.63s", devs[i].name);
	snprintf(link, sizeof(link), "/sys/class/uacce/%s/device",
		 dev[0] ? dev : "none");
	len = readlink(link, target, sizeof(target) - 1);
	if (len <= 0) {
		tap_ok(0, "platform device of a vcrypt device (%s)",
		       dev[0] ? dev : "none");
		return;
	}
	target[len] = '\0';
	snprintf(unbind_dev, sizeof(unbind_dev), "%.63s",
		 strrchr(target, '/') ? strrchr(target, '/') + 1 : target);
	tap_diag("unbinding %s (%s) under crypto sessions", unbind_dev, dev);
	st = in_child(child_unbind_crypto, NULL);
	tap_ok(st == 0, "unbind mid-request: the request in flight fails "
	       "with -ECANCELED, -ENODEV or -EIO, both streams with -ENODEV or "
	       "-EIO, policy hw's next one-shot so too, policy auto gives the "
	       "device's bytes in software, nothing crashes (status %d)", st);
	tap_ok(!write_str("/sys/bus/platform/drivers/vcrypt/bind", unbind_dev),
	       "bind the vcrypt device again");
	usleep(200000);
	s = cr_session(WD_CRYPTO_SHA256, WD_POLICY_HW);
	tap_ok(s && !wd_digest(s, "abc", 3, md, &mdlen) && md[0] == 0xba &&
	       md[31] == 0xad && wd_crypto_path(s, NULL) == WD_PATH_HW,
	       "a new session hashes on the device again");
	wd_crypto_close(s);
}

/* ---- isolation ---- */

static int isolate_main(void)
{
	const char *dev = first_device();
	char path[160];
	struct wd_comp *c, *c2;
	enum wd_reason why;
	unsigned int p;
	int ret;

	snprintf(path, sizeof(path), "/sys/class/uacce/%s/isolate_strategy",
		 dev ? dev : "none");
	ret = write_str(path, "1");
	tap_ok(!ret, "isolate after one hardware error per hour (%s)",
	       wd_strerror(ret));
	c = session(WD_POLICY_AUTO);
	tap_ok(c && compress_ok(c, 100000, 1, &p) && p == WD_PATH_HW,
	       "before: on the device");
	snprintf(path, sizeof(path), "/sys/kernel/debug/vzip/%s/inject_hw_error",
		 dev ? dev : "none");
	ret = write_str(path, "1");
	tap_ok(!ret, "inject a hardware error (%s)", wd_strerror(ret));
	tap_ok(compress_ok(c, 100000, 2, &p),
	       "the failing request is redone in software: data intact");
	wd_comp_path(c, &why);
	tap_ok(p & WD_PATH_SW && why == WD_REASON_DEVICE_LOST,
	       "and says why: %s", wd_reason_name(why));
	snprintf(path, sizeof(path), "/sys/class/uacce/%s/isolate", dev);
	tap_ok(read_int(path) == 1, "the device is isolated");
	/* a new process sees an isolated device */
	pid_t pid = fork();
	int st = -1;

	if (pid == 0) {
		c2 = session(WD_POLICY_AUTO);
		_exit(!c2 || !compress_ok(c2, 100000, 3, &p) ||
		      p != WD_PATH_SW || (wd_comp_path(c2, &why), why) !=
		      WD_REASON_ISOLATED);
	}
	waitpid(pid, &st, 0);
	tap_ok(WIFEXITED(st) && !WEXITSTATUS(st),
	       "a new process runs in software, reason isolated");
	tap_ok(wd_comp_open(&c2, &(struct wd_comp_params){
				.policy = WD_POLICY_HW }) == -ENODEV,
	       "policy hw: -ENODEV");
	wd_comp_close(c);
	return tap_done();
}

int main(int argc, char **argv)
{
	signal(SIGPIPE, SIG_IGN);
	if (argc > 1 && !strcmp(argv[1], "unbind"))
		return unbind_main(argc > 2 && !strcmp(argv[2], "crypto"));
	if (argc > 1 && !strcmp(argv[1], "isolate"))
		return isolate_main();
	test_fork();
	test_many();
	test_kill();
	test_no_queue();
	return tap_done();
}
