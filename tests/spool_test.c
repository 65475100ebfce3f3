/* SPDX-License-Identifier: AGPL-3.0-or-later */
/* Unit test of tandem-scp's on-disk spool (scp/spool.c): append and replay in order, acknowledgements in and
 * out of order, a torn tail, a crash between write and fsync (the file cut at every offset), corruption of
 * a record and of the head file, the byte bound, compaction, the batch fsync timer, the lock, restarts
 * (sequence numbers never reused). Prints what it did; compared with tests/spool_test.ok. */

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <time.h>
#include <sys/stat.h>

#include <talloc.h>

#include <osmocom/core/application.h>
#include <osmocom/core/logging.h>
#include <osmocom/core/select.h>
#include <osmocom/core/utils.h>

#include "../scp/spool.h"

static void *root, *ctx;
static char dir[PATH_MAX];
static char path[PATH_MAX + 32];
static char meta[PATH_MAX + 48];
static unsigned int n_dropped_cb;
static uint64_t last_dropped_seq;

static const struct log_info_cat log_cats[] = {
	[0] = { .name = "DSPOOL", .description = "spool", .enabled = 1, .loglevel = LOGL_NOTICE },
};
static const struct log_info log_info = { .cat = log_cats, .num_cat = ARRAY_SIZE(log_cats) };

static void drop_cb(struct scp_spool_rec *rec, void *data)
{
	(void)data;
	n_dropped_cb++;
	last_dropped_seq = rec->seq;
}

static void fresh(const char *name)
{
	if (path[0]) {
		unlink(path);
		unlink(meta);
	}
	snprintf(path, sizeof(path), "%s/%s", dir, name);
	snprintf(meta, sizeof(meta), "%s.meta", path);
	unlink(path);
	unlink(meta);
	n_dropped_cb = 0;
	printf("\n== %s\n", name);
}

static struct scp_spool *sp_open(uint64_t max_bytes, unsigned int fsync_ms)
{
	struct scp_spool_cfg cfg = {
		.path = path, .max_bytes = max_bytes, .fsync_ms = fsync_ms, .log_ss = 0,
		.drop_cb = drop_cb,
	};
	struct scp_spool *sp;
	int rc = scp_spool_open(&sp, ctx, &cfg);

	if (rc < 0) {
		printf("open: %s\n", strerror(-rc));
		return NULL;
	}
	printf("open: depth=%u bytes=%" PRIu64 " file=%" PRIu64 " head=%" PRIu64 " run-base=%" PRIu64
	       " replayed=%" PRIu64 " torn=%" PRIu64 "\n", scp_spool_depth(sp), scp_spool_bytes(sp),
	       scp_spool_file_size(sp), scp_spool_head(sp), scp_spool_run_base(sp), scp_spool_stats(sp)->replayed,
	       scp_spool_stats(sp)->torn_bytes);
	return sp;
}

static struct scp_spool_rec *append(struct scp_spool *sp, const char *text)
{
	struct scp_spool_rec *r;
	int rc = scp_spool_append(sp, text, strlen(text), &r);

	if (rc < 0) {
		printf("append '%s': %s\n", text, strerror(-rc));
		return NULL;
	}
	return r;
}

static void list(struct scp_spool *sp)
{
	struct scp_spool_rec *r;

	printf("records:");
	for (r = scp_spool_first(sp); r; r = scp_spool_next(sp, r))
		printf(" %" PRIu64 ":%.*s%s", r->seq, (int)r->len, (const char *)r->data, r->acked ? "(acked)" : "");
	printf("\n");
}

static off_t file_size(void)
{
	struct stat st;

	return stat(path, &st) < 0 ? -1 : st.st_size;
}

static void cut(off_t len)
{
	if (truncate(path, len) < 0)
		printf("truncate: %s\n", strerror(errno));
}

static void test_append_replay(void)
{
	struct scp_spool *sp;
	struct scp_spool_rec *r;
	char buf[16];
	int i;

	fresh("append-replay");
	sp = sp_open(1 << 20, 100);
	for (i = 1; i <= 5; i++) {
		snprintf(buf, sizeof(buf), "ev%d", i);
		r = append(sp, buf);
		printf("appended seq %" PRIu64 " at %" PRIu64 "\n", r->seq, r->off);
	}
	printf("before close: syncs=%" PRIu64 " file=%lld\n", scp_spool_stats(sp)->syncs, (long long)file_size());
	scp_spool_close(sp);
	printf("restart\n");
	sp = sp_open(1 << 20, 100);
	list(sp);
	r = append(sp, "ev6");
	printf("appended after restart: seq %" PRIu64 "\n", r->seq);
	scp_spool_close(sp);
}

static void test_ack(void)
{
	struct scp_spool_rec *rec[6];
	struct scp_spool *sp;
	char buf[16];
	int i;

	fresh("ack");
	sp = sp_open(1 << 20, 100);
	for (i = 1; i <= 5; i++) {
		snprintf(buf, sizeof(buf), "ev%d", i);
		rec[i] = append(sp, buf);
	}
	scp_spool_ack(sp, rec[1]);
	scp_spool_ack(sp, rec[2]);
	scp_spool_ack(sp, rec[4]);
	scp_spool_ack(sp, rec[4]);	/* twice: no effect */
	printf("acked 1, 2, 4: depth=%u head=%" PRIu64 "\n", scp_spool_depth(sp), scp_spool_head(sp));
	list(sp);
	scp_spool_close(sp);
	printf("restart (4 was acknowledged out of order: replayed again, the server ignores the duplicate)\n");
	sp = sp_open(1 << 20, 100);
	list(sp);
	while (scp_spool_first(sp))
		scp_spool_ack(sp, scp_spool_first(sp));
	scp_spool_sync(sp);
	printf("all acked and synced: depth=%u file=%lld head=%" PRIu64 "\n", scp_spool_depth(sp),
	       (long long)file_size(), scp_spool_head(sp));
	scp_spool_close(sp);
	printf("restart\n");
	sp = sp_open(1 << 20, 100);
	list(sp);
	scp_spool_close(sp);
}

static void test_torn_tail(void)
{
	struct scp_spool *sp;
	off_t size;
	int fd;

	fresh("torn-tail");
	sp = sp_open(1 << 20, 100);
	append(sp, "first");
	append(sp, "second");
	append(sp, "third");
	scp_spool_close(sp);
	size = file_size();
	printf("file %lld bytes; 7 bytes of a header that never completed appended\n", (long long)size);
	fd = open(path, O_WRONLY | O_APPEND);
	if (write(fd, "TSR1\x05\x00\x00", 7) != 7)
		printf("write failed\n");
	close(fd);
	sp = sp_open(1 << 20, 100);
	list(sp);
	printf("file after open: %lld bytes\n", (long long)file_size());
	scp_spool_close(sp);
	printf("cut in the middle of the third payload\n");
	cut(size - 2);
	sp = sp_open(1 << 20, 100);
	list(sp);
	append(sp, "fourth");
	scp_spool_close(sp);
	sp = sp_open(1 << 20, 100);
	list(sp);
	scp_spool_close(sp);
}

/* A crash between write() and fdatasync() loses an unknown tail of the file: cut it at every offset. */
static void test_cut_everywhere(void)
{
	static const char *const payload[] = { "a", "a longer payload", "", "last one" };
	struct scp_spool *sp;
	uint8_t *full;
	off_t size, n;
	int fd, prev = -1, bad = 0;
	unsigned int i;

	fresh("cut-everywhere");
	sp = sp_open(1 << 20, 100);
	for (i = 0; i < ARRAY_SIZE(payload); i++)
		append(sp, payload[i]);
	scp_spool_close(sp);
	size = file_size();
	full = talloc_size(ctx, size);
	fd = open(path, O_RDONLY);
	if (read(fd, full, size) != size)
		printf("read failed\n");
	close(fd);
	printf("file of %lld bytes (records of 21, 36, 20, 28 bytes), cut at every offset:\n", (long long)size);
	log_set_log_level(osmo_stderr_target, LOGL_ERROR);
	for (n = 0; n <= size; n++) {
		struct scp_spool_cfg cfg = { .path = path, .max_bytes = 1 << 20, .fsync_ms = 100 };
		struct scp_spool_rec *r;
		int count = 0;

		fd = open(path, O_WRONLY | O_TRUNC);
		if (write(fd, full, n) != n)
			printf("write failed\n");
		close(fd);
		if (scp_spool_open(&sp, ctx, &cfg) < 0) {
			printf("open failed at %lld\n", (long long)n);
			continue;
		}
		for (r = scp_spool_first(sp); r; r = scp_spool_next(sp, r)) {
			/* a recovered record is exactly what was written, in order */
			if (r->len != strlen(payload[count]) || memcmp(r->data, payload[count], r->len))
				bad++;
			count++;
		}
		if (count != prev) {
			printf("  cut at %lld..: %d records, file after open %" PRIu64 "\n", (long long)n, count,
			       scp_spool_file_size(sp));
			prev = count;
		}
		scp_spool_close(sp);
	}
	log_set_log_level(osmo_stderr_target, LOGL_NOTICE);
	printf("records misread: %d\n", bad);
	talloc_free(full);
}

static void test_corruption(void)
{
	struct scp_spool_rec *r1;
	struct scp_spool *sp;
	uint8_t b;
	int fd;

	fresh("corruption");
	sp = sp_open(1 << 20, 100);
	r1 = append(sp, "one");
	append(sp, "two");
	append(sp, "three");
	scp_spool_ack(sp, r1);
	scp_spool_close(sp);
	printf("one bit flipped in the payload of record 2 (\"two\")\n");
	fd = open(path, O_RDWR);
	if (pread(fd, &b, 1, 23 + 20) != 1)
		printf("read failed\n");
	b ^= 0x10;
	if (pwrite(fd, &b, 1, 23 + 20) != 1)
		printf("write failed\n");
	close(fd);
	sp = sp_open(1 << 20, 100);
	list(sp);
	scp_spool_close(sp);

	fresh("head-file");
	sp = sp_open(1 << 20, 100);
	r1 = append(sp, "one");
	append(sp, "two");
	scp_spool_sync(sp);
	scp_spool_ack(sp, r1);
	scp_spool_close(sp);
	printf("the newer slot of the head file damaged (a torn write of it)\n");
	fd = open(meta, O_RDWR);
	/* the generations so far: 1 at open (slot 1), 2 at close (slot 0) */
	if (pwrite(fd, "XXXX", 4, 0) != 4)
		printf("write failed\n");
	close(fd);
	sp = sp_open(1 << 20, 100);
	printf("the older slot is used: record 1 comes again (a harmless duplicate), nothing is lost\n");
	list(sp);
	scp_spool_close(sp);
	printf("both slots damaged\n");
	fd = open(meta, O_RDWR);
	if (pwrite(fd, "XXXX", 4, 0) != 4 || pwrite(fd, "XXXX", 4, 64) != 4)
		printf("write failed\n");
	close(fd);
	sp = sp_open(1 << 20, 100);
	list(sp);
	printf("next record after the last on disk: seq %" PRIu64 "\n", append(sp, "after")->seq);
	scp_spool_close(sp);
}

static void test_bound(void)
{
	struct scp_spool *sp;
	char buf[1001];
	int i;

	fresh("bound");
	sp = sp_open(SCP_SPOOL_MIN_BYTES, 100);
	memset(buf, 'x', 1000);
	buf[1000] = '\0';
	for (i = 1; i <= 100; i++) {
		snprintf(buf, 5, "%04d", i);
		buf[4] = 'x';
		append(sp, buf);
	}
	printf("100 records of 1020 bytes into %u: depth=%u bytes=%" PRIu64 " dropped=%" PRIu64
	       " drop callbacks=%u (last seq %" PRIu64 ") first seq=%" PRIu64 "\n", SCP_SPOOL_MIN_BYTES,
	       scp_spool_depth(sp), scp_spool_bytes(sp), scp_spool_stats(sp)->dropped, n_dropped_cb,
	       last_dropped_seq, scp_spool_first(sp)->seq);
	scp_spool_close(sp);
	sp = sp_open(SCP_SPOOL_MIN_BYTES, 100);
	printf("after restart: first seq=%" PRIu64 " (%.4s)\n", scp_spool_first(sp)->seq,
	       (const char *)scp_spool_first(sp)->data);
	printf("a record larger than the bound: ");
	{
		char *big = talloc_zero_size(ctx, SCP_SPOOL_MIN_BYTES);
		int rc;

		memset(big, 'y', SCP_SPOOL_MIN_BYTES - 1);
		rc = scp_spool_append(sp, big, SCP_SPOOL_MIN_BYTES - 1, NULL);
		printf("%s, depth still %u\n", strerror(-rc), scp_spool_depth(sp));
		talloc_free(big);
	}
	scp_spool_close(sp);
	n_dropped_cb = 0;
	printf("reopened with twice the bound:\n");
	{
		struct scp_spool_cfg cfg = { .path = path, .max_bytes = 2 * SCP_SPOOL_MIN_BYTES, .fsync_ms = 100 };

		if (scp_spool_open(&sp, ctx, &cfg) == 0) {
			printf("depth %u\n", scp_spool_depth(sp));
			scp_spool_set_max_bytes(sp, SCP_SPOOL_MIN_BYTES);
			printf("set to the minimum again: depth %u\n", scp_spool_depth(sp));
			printf("below the minimum: %s\n", strerror(-scp_spool_set_max_bytes(sp, 1000)));
			scp_spool_close(sp);
		}
	}
}

static void test_compaction(void)
{
	struct scp_spool_rec *r, *mid = NULL;
	struct scp_spool *sp;
	char buf[1001];
	int i;

	fresh("compaction");
	sp = sp_open(1 << 20, 100);
	memset(buf, 'z', 1000);
	buf[1000] = '\0';
	for (i = 1; i <= 200; i++) {
		r = append(sp, buf);
		if (i == 150)
			mid = r;
	}
	scp_spool_sync(sp);
	printf("200 records: file=%lld\n", (long long)file_size());
	while ((r = scp_spool_first(sp)) != mid)
		scp_spool_ack(sp, r);
	scp_spool_ack(sp, mid);
	scp_spool_sync(sp);
	printf("first 150 acked and synced: file=%lld compactions=%" PRIu64 " first seq=%" PRIu64 " at %" PRIu64
	       "\n", (long long)file_size(), scp_spool_stats(sp)->compactions, scp_spool_first(sp)->seq,
	       scp_spool_first(sp)->off);
	r = append(sp, "tail");
	printf("appended after compaction at %" PRIu64 "\n", r->off);
	scp_spool_close(sp);
	sp = sp_open(1 << 20, 100);
	for (r = scp_spool_first(sp); scp_spool_next(sp, r); r = scp_spool_next(sp, r))
		;
	printf("after restart: first seq=%" PRIu64 ", last=%.*s\n", scp_spool_first(sp)->seq, (int)r->len,
	       (const char *)r->data);
	scp_spool_close(sp);
}

static void test_timer(void)
{
	struct timespec t0, t1;
	struct scp_spool *sp;

	fresh("fsync-timer");
	sp = sp_open(1 << 20, 20);
	append(sp, "one");
	append(sp, "two");
	printf("two appends: syncs=%" PRIu64 "\n", scp_spool_stats(sp)->syncs);
	/* the select loop may wake up a little before the timer is due: bound the wait by time, 2 s */
	clock_gettime(CLOCK_MONOTONIC, &t0);
	do {
		osmo_select_main_ctx(0);
		clock_gettime(CLOCK_MONOTONIC, &t1);
	} while (!scp_spool_stats(sp)->syncs &&
		 (t1.tv_sec - t0.tv_sec) * 1000 + (t1.tv_nsec - t0.tv_nsec) / 1000000 < 2000);
	printf("after the timer: syncs=%" PRIu64 "\n", scp_spool_stats(sp)->syncs);
	scp_spool_close(sp);
	fresh("fsync-each");
	sp = sp_open(1 << 20, 0);
	append(sp, "one");
	append(sp, "two");
	printf("fsync-interval 0, two appends: syncs=%" PRIu64 "\n", scp_spool_stats(sp)->syncs);
	scp_spool_close(sp);
}

static void test_lock_and_cfg(void)
{
	struct scp_spool_cfg cfg = { .path = NULL, .max_bytes = 1 << 20, .fsync_ms = 100 };
	struct scp_spool *sp, *sp2;

	fresh("lock");
	sp = sp_open(1 << 20, 100);
	cfg.path = path;
	printf("second open of the same spool: %s\n", strerror(-scp_spool_open(&sp2, ctx, &cfg)));
	scp_spool_close(sp);
	cfg.max_bytes = SCP_SPOOL_MIN_BYTES - 1;
	printf("bound below the minimum: %s\n", strerror(-scp_spool_open(&sp2, ctx, &cfg)));
	cfg.max_bytes = 1 << 20;
	cfg.path = "/nonexistent-dir/spool";
	printf("in a missing directory: %s\n", strerror(-scp_spool_open(&sp2, ctx, &cfg)));
}

int main(void)
{
	const char *tmp = getenv("TMPDIR");

	root = talloc_named_const(NULL, 0, "spool_test");
	ctx = talloc_named_const(root, 0, "spools");
	osmo_init_logging2(root, &log_info);
	log_set_print_filename2(osmo_stderr_target, LOG_FILENAME_NONE);
	log_set_print_category(osmo_stderr_target, 0);
	log_set_use_color(osmo_stderr_target, 0);
	snprintf(dir, sizeof(dir), "%s/spool_test.XXXXXX", tmp && *tmp ? tmp : "/tmp");
	if (!mkdtemp(dir)) {
		perror("mkdtemp");
		return 1;
	}
	printf("CRC-32C(\"123456789\") = %08x\n", scp_spool_crc32c(0, "123456789", 9));

	test_append_replay();
	test_ack();
	test_torn_tail();
	test_cut_everywhere();
	test_corruption();
	test_bound();
	test_compaction();
	test_timer();
	test_lock_and_cfg();

	fresh("cleanup");
	rmdir(dir);
	printf("talloc blocks left: %zu\n", talloc_total_blocks(ctx));
	log_fini();
	talloc_free(root);
	return 0;
}
