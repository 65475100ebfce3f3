/* SPDX-License-Identifier: AGPL-3.0-or-later */
/* The on-disk spool of tandem-scp: framed append-only records, batched fdatasync, a two-slot head file with
 * sequence reservations, replay at open with torn-tail detection, a byte bound, truncation and compaction.
 * See spool.h for the guarantees. */

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <libgen.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <sys/uio.h>

#include <talloc.h>

#include <osmocom/core/bit32gen.h>
#include <osmocom/core/bit64gen.h>
#include <osmocom/core/logging.h>
#include <osmocom/core/timer.h>

#include "spool.h"

/* "TSR1" and "TSPM" as little-endian words */
#define REC_MAGIC	0x31525354u
#define META_MAGIC	0x4d505354u
#define META_VERSION	1
#define META_SLOT_LEN	40
#define META_SLOT_SPACE	64
/* Sequence numbers reserved per head write: one fdatasync of the head file per this many records. */
#define SEQ_BLOCK	65536
/* Compact only when the dead part at the start of the file is at least this large (and larger than the
 * live part): rewriting costs the live bytes, so this keeps compaction amortised O(1) per byte. */
#define COMPACT_MIN	(64 * 1024)
/* A record that could not be written stays in memory only. */
#define OFF_NONE	UINT64_MAX

struct scp_spool {
	char *path;
	char *meta_path;
	char *tmp_path;
	int fd;
	int meta_fd;
	uint64_t max_bytes;
	unsigned int fsync_ms;
	int log_ss;
	scp_spool_drop_cb drop_cb;
	void *drop_data;

	struct llist_head recs;		/* struct scp_spool_rec, oldest first */
	unsigned int depth;		/* records not acknowledged */
	uint64_t bytes;			/* disk bytes of the held records */
	uint64_t file_size;		/* where the next record goes */
	bool dirty;			/* written since the last fdatasync */
	bool full_alarm;		/* dropping; cleared when below half of the bound again */
	unsigned int mem_only;		/* records whose write failed: the next sync rewrites the file */

	uint64_t head, head_persisted;
	uint64_t next_seq, reserved, run_base;
	uint64_t meta_gen;

	struct osmo_timer_list timer;
	struct scp_spool_stats st;
};

#define LOGSP(sp, lvl, fmt, args...) LOGP((sp)->log_ss, lvl, "spool %s: " fmt, (sp)->path, ##args)

/* --- CRC-32C ------------------------------------------------------------------------------------------- */

static uint32_t crc_table[256];

static void crc_init(void)
{
	uint32_t i, j, c;

	if (crc_table[1])
		return;
	for (i = 0; i < 256; i++) {
		c = i;
		for (j = 0; j < 8; j++)
			c = c & 1 ? (c >> 1) ^ 0x82f63b78u : c >> 1;
		crc_table[i] = c;
	}
}

uint32_t scp_spool_crc32c(uint32_t crc, const void *data, size_t len)
{
	const uint8_t *p = data;

	crc_init();
	crc = ~crc;
	while (len--)
		crc = crc_table[(crc ^ *p++) & 0xff] ^ (crc >> 8);
	return ~crc;
}

/* --- file helpers -------------------------------------------------------------------------------------- */

static int write_all(int fd, struct iovec *iov, int iovcnt)
{
	while (iovcnt > 0) {
		ssize_t rc = writev(fd, iov, iovcnt);

		if (rc < 0) {
			if (errno == EINTR)
				continue;
			return -errno;
		}
		while (iovcnt > 0 && (size_t)rc >= iov->iov_len) {
			rc -= iov->iov_len;
			iov++;
			iovcnt--;
		}
		if (iovcnt > 0) {
			iov->iov_base = (uint8_t *)iov->iov_base + rc;
			iov->iov_len -= rc;
		}
	}
	return 0;
}

static int read_at(int fd, void *buf, size_t len, uint64_t off)
{
	size_t got = 0;

	while (got < len) {
		ssize_t rc = pread(fd, (uint8_t *)buf + got, len - got, off + got);

		if (rc < 0) {
			if (errno == EINTR)
				continue;
			return -errno;
		}
		if (rc == 0)
			return -ENODATA;
		got += rc;
	}
	return 0;
}

/* Make a rename in the spool's directory durable. */
static void sync_dir(struct scp_spool *sp)
{
	char *copy = talloc_strdup(sp, sp->path);
	int fd;

	if (!copy)
		return;
	fd = open(dirname(copy), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd >= 0) {
		fsync(fd);
		close(fd);
	}
	talloc_free(copy);
}

static void rec_header(uint8_t *hdr, const struct scp_spool_rec *rec)
{
	uint32_t crc;

	osmo_store32le(REC_MAGIC, hdr);
	osmo_store32le(rec->len, hdr + 4);
	osmo_store64le(rec->seq, hdr + 8);
	crc = scp_spool_crc32c(0, hdr + 4, 12);
	crc = scp_spool_crc32c(crc, rec->data, rec->len);
	osmo_store32le(crc, hdr + 16);
}

/* --- the head file ------------------------------------------------------------------------------------- */

/* Persist the head and a new reservation (taken only once it is on disk). */
static int meta_write(struct scp_spool *sp, uint64_t reserved)
{
	uint8_t slot[META_SLOT_LEN];
	uint64_t gen = sp->meta_gen + 1;
	ssize_t rc;

	osmo_store32le(META_MAGIC, slot);
	osmo_store32le(META_VERSION, slot + 4);
	osmo_store64le(gen, slot + 8);
	osmo_store64le(sp->head, slot + 16);
	osmo_store64le(reserved, slot + 24);
	osmo_store32le(scp_spool_crc32c(0, slot, 32), slot + 32);
	memset(slot + 36, 0, 4);
	do {
		rc = pwrite(sp->meta_fd, slot, sizeof(slot), (gen & 1) * META_SLOT_SPACE);
	} while (rc < 0 && errno == EINTR);
	if (rc != sizeof(slot) || fdatasync(sp->meta_fd) < 0) {
		rc = rc < 0 || rc == sizeof(slot) ? -errno : -EIO;
		LOGSP(sp, LOGL_ERROR, "cannot write the head file %s: %s\n", sp->meta_path, strerror(-rc));
		return rc;
	}
	sp->meta_gen = gen;
	sp->head_persisted = sp->head;
	sp->reserved = reserved;
	return 0;
}

/* Load the newer valid slot. \returns true when one was valid. */
static bool meta_read(struct scp_spool *sp)
{
	uint8_t slot[META_SLOT_LEN];
	bool found = false;
	unsigned int i;

	for (i = 0; i < 2; i++) {
		uint64_t gen;

		if (read_at(sp->meta_fd, slot, sizeof(slot), i * META_SLOT_SPACE) < 0)
			continue;
		if (osmo_load32le(slot) != META_MAGIC || osmo_load32le(slot + 4) != META_VERSION ||
		    osmo_load32le(slot + 32) != scp_spool_crc32c(0, slot, 32))
			continue;
		gen = osmo_load64le(slot + 8);
		if (found && gen <= sp->meta_gen)
			continue;
		found = true;
		sp->meta_gen = gen;
		sp->head = osmo_load64le(slot + 16);
		sp->reserved = osmo_load64le(slot + 24);
	}
	return found;
}

/* --- records in memory --------------------------------------------------------------------------------- */

static void rec_unlink(struct scp_spool *sp, struct scp_spool_rec *rec)
{
	llist_del(&rec->list);
	sp->bytes -= SCP_SPOOL_REC_HDR + rec->len;
	if (rec->seq > sp->head)
		sp->head = rec->seq;
	talloc_free(rec);
}

static void schedule(struct scp_spool *sp)
{
	if (!osmo_timer_pending(&sp->timer))
		osmo_timer_schedule(&sp->timer, sp->fsync_ms / 1000, (sp->fsync_ms % 1000) * 1000);
}

/* Free the acknowledged records at the start. */
static void advance_head(struct scp_spool *sp)
{
	struct scp_spool_rec *r;
	uint64_t old = sp->head;

	while ((r = scp_spool_first(sp)) && r->acked)
		rec_unlink(sp, r);
	if (sp->head != old)
		schedule(sp);
	if (sp->full_alarm && sp->bytes < sp->max_bytes / 2) {
		sp->full_alarm = false;
		LOGSP(sp, LOGL_NOTICE, "below half of its bound again; %" PRIu64 " records dropped so far\n",
		      sp->st.dropped);
	}
}

static void drop_oldest(struct scp_spool *sp)
{
	struct scp_spool_rec *r = scp_spool_first(sp);

	if (!r)
		return;
	if (!r->acked) {
		sp->depth--;
		sp->st.dropped++;
		if (!sp->full_alarm) {
			sp->full_alarm = true;
			LOGSP(sp, LOGL_ERROR, "ALARM: full (%" PRIu64 " bytes bound): dropping the oldest records\n",
			      sp->max_bytes);
		}
		if (sp->drop_cb)
			sp->drop_cb(r, sp->drop_data);
	}
	rec_unlink(sp, r);
	advance_head(sp);
}

/* Make room for need more bytes. */
static void enforce_bound(struct scp_spool *sp, uint64_t need)
{
	while (!llist_empty(&sp->recs) && sp->bytes + need > sp->max_bytes)
		drop_oldest(sp);
}

/* --- open, replay -------------------------------------------------------------------------------------- */

/* Read the data file: keep the records after the head, cut off a torn or corrupt tail.
 * \returns the highest sequence number seen (0: none), or a negative errno */
static int64_t replay(struct scp_spool *sp)
{
	uint8_t hdr[SCP_SPOOL_REC_HDR];
	struct stat st;
	uint64_t off = 0, last = 0;
	const char *why = NULL;

	if (fstat(sp->fd, &st) < 0)
		return -errno;
	while (off < (uint64_t)st.st_size) {
		struct scp_spool_rec *r;
		uint32_t len, crc;
		uint64_t seq;

		if ((uint64_t)st.st_size - off < SCP_SPOOL_REC_HDR) {
			why = "short header";
			break;
		}
		if (read_at(sp->fd, hdr, sizeof(hdr), off) < 0) {
			why = "unreadable header";
			break;
		}
		len = osmo_load32le(hdr + 4);
		seq = osmo_load64le(hdr + 8);
		if (osmo_load32le(hdr) != REC_MAGIC) {
			why = "bad magic";
			break;
		}
		if (len > SCP_SPOOL_REC_MAX || (uint64_t)st.st_size - off - SCP_SPOOL_REC_HDR < len) {
			why = "short record";
			break;
		}
		if (seq <= last || seq == UINT64_MAX) {
			why = "sequence out of order";
			break;
		}
		r = talloc_size(sp, sizeof(*r) + len);
		if (!r)
			return -ENOMEM;
		talloc_set_name_const(r, "struct scp_spool_rec");
		memset(r, 0, sizeof(*r));
		r->len = len;
		r->seq = seq;
		r->off = off;
		if (read_at(sp->fd, r->data, len, off + SCP_SPOOL_REC_HDR) < 0) {
			talloc_free(r);
			why = "unreadable record";
			break;
		}
		crc = scp_spool_crc32c(0, hdr + 4, 12);
		crc = scp_spool_crc32c(crc, r->data, len);
		if (crc != osmo_load32le(hdr + 16)) {
			talloc_free(r);
			why = "CRC mismatch";
			break;
		}
		last = seq;
		off += SCP_SPOOL_REC_HDR + len;
		if (seq <= sp->head) {
			talloc_free(r);
			continue;
		}
		llist_add_tail(&r->list, &sp->recs);
		sp->bytes += SCP_SPOOL_REC_HDR + len;
		sp->depth++;
		sp->st.replayed++;
	}
	if (why) {
		sp->st.torn_bytes = st.st_size - off;
		LOGSP(sp, LOGL_NOTICE, "cutting off %" PRIu64 " bytes at offset %" PRIu64 " (%s): a write that"
		      " did not complete, or damage\n", sp->st.torn_bytes, off, why);
		if (ftruncate(sp->fd, off) < 0 || fdatasync(sp->fd) < 0)
			return -errno;
	}
	sp->file_size = off;
	return last;
}

static void timer_cb(void *data)
{
	scp_spool_sync(data);
}

static int spool_destructor(struct scp_spool *sp)
{
	osmo_timer_del(&sp->timer);
	if (sp->fd >= 0)
		close(sp->fd);
	if (sp->meta_fd >= 0)
		close(sp->meta_fd);
	return 0;
}

int scp_spool_open(struct scp_spool **out, void *ctx, const struct scp_spool_cfg *cfg)
{
	struct scp_spool *sp;
	int64_t last;
	int rc;

	*out = NULL;
	if (!cfg->path || !cfg->path[0] || cfg->max_bytes < SCP_SPOOL_MIN_BYTES || cfg->fsync_ms > 60000)
		return -EINVAL;
	sp = talloc_zero(ctx, struct scp_spool);
	if (!sp)
		return -ENOMEM;
	sp->fd = -1;
	sp->meta_fd = -1;
	talloc_set_destructor(sp, spool_destructor);
	INIT_LLIST_HEAD(&sp->recs);
	osmo_timer_setup(&sp->timer, timer_cb, sp);
	sp->path = talloc_strdup(sp, cfg->path);
	sp->meta_path = talloc_asprintf(sp, "%s.meta", cfg->path);
	sp->tmp_path = talloc_asprintf(sp, "%s.tmp", cfg->path);
	if (!sp->path || !sp->meta_path || !sp->tmp_path) {
		rc = -ENOMEM;
		goto fail;
	}
	sp->max_bytes = cfg->max_bytes;
	sp->fsync_ms = cfg->fsync_ms;
	sp->log_ss = cfg->log_ss;
	sp->drop_cb = cfg->drop_cb;
	sp->drop_data = cfg->drop_data;

	sp->meta_fd = open(sp->meta_path, O_RDWR | O_CREAT | O_CLOEXEC, 0600);
	if (sp->meta_fd < 0) {
		rc = -errno;
		goto fail;
	}
	/* two daemons on one spool would interleave records: the head file is never replaced, lock it */
	if (flock(sp->meta_fd, LOCK_EX | LOCK_NB) < 0) {
		rc = errno == EWOULDBLOCK ? -EBUSY : -errno;
		goto fail;
	}
	if (!meta_read(sp)) {
		sp->head = 0;
		sp->reserved = 0;
		sp->meta_gen = 0;
	}
	sp->fd = open(sp->path, O_RDWR | O_CREAT | O_APPEND | O_CLOEXEC, 0600);
	if (sp->fd < 0) {
		rc = -errno;
		goto fail;
	}
	last = replay(sp);
	if (last < 0) {
		rc = last;
		goto fail;
	}
	/* never hand out a number that may have been used: not below the reservation, the last record, the head */
	sp->next_seq = sp->reserved;
	if ((uint64_t)last >= sp->next_seq)
		sp->next_seq = last + 1;
	if (sp->head >= sp->next_seq)
		sp->next_seq = sp->head + 1;
	if (!sp->next_seq)
		sp->next_seq = 1;
	sp->run_base = sp->next_seq;
	rc = meta_write(sp, sp->next_seq + SEQ_BLOCK);
	if (rc < 0)
		goto fail;
	enforce_bound(sp, 0);
	if (sp->st.replayed)
		LOGSP(sp, LOGL_NOTICE, "%" PRIu64 " records to replay (head %" PRIu64 ")\n", sp->st.replayed,
		      sp->head);
	*out = sp;
	return 0;
fail:
	talloc_free(sp);
	return rc;
}

void scp_spool_close(struct scp_spool *sp)
{
	if (!sp)
		return;
	scp_spool_sync(sp);
	talloc_free(sp);
}

/* --- append, ack --------------------------------------------------------------------------------------- */

int scp_spool_append(struct scp_spool *sp, const void *data, size_t len, struct scp_spool_rec **rec_out)
{
	uint8_t hdr[SCP_SPOOL_REC_HDR];
	struct scp_spool_rec *r;
	struct iovec iov[2];
	int rc;

	if (rec_out)
		*rec_out = NULL;
	if (len > SCP_SPOOL_REC_MAX || SCP_SPOOL_REC_HDR + len > sp->max_bytes)
		return -EMSGSIZE;
	if (sp->next_seq >= sp->reserved) {
		/* the batch timer normally extends the reservation long before this */
		rc = meta_write(sp, sp->next_seq + SEQ_BLOCK);
		if (rc < 0)
			return rc;
	}
	enforce_bound(sp, SCP_SPOOL_REC_HDR + len);
	r = talloc_size(sp, sizeof(*r) + len);
	if (!r)
		return -ENOMEM;
	talloc_set_name_const(r, "struct scp_spool_rec");
	memset(r, 0, sizeof(*r));
	r->seq = sp->next_seq++;
	r->len = len;
	memcpy(r->data, data, len);
	rec_header(hdr, r);
	iov[0] = (struct iovec){ hdr, sizeof(hdr) };
	iov[1] = (struct iovec){ r->data, len };
	rc = write_all(sp->fd, iov, len ? 2 : 1);
	if (rc < 0) {
		/* cut a partial record so the records after it stay readable */
		if (ftruncate(sp->fd, sp->file_size) < 0)
			LOGSP(sp, LOGL_ERROR, "cannot cut a partial record: %s\n", strerror(errno));
		sp->st.write_errors++;
		LOGSP(sp, LOGL_ERROR, "cannot write record %" PRIu64 " (%s): kept in memory only\n", r->seq,
		      strerror(-rc));
		r->off = OFF_NONE;
		sp->mem_only++;
	} else {
		r->off = sp->file_size;
		sp->file_size += SCP_SPOOL_REC_HDR + len;
		sp->dirty = true;
	}
	llist_add_tail(&r->list, &sp->recs);
	sp->bytes += SCP_SPOOL_REC_HDR + len;
	sp->depth++;
	sp->st.appended++;
	if (!sp->fsync_ms)
		scp_spool_sync(sp);
	else
		schedule(sp);
	if (rec_out)
		*rec_out = r;
	return 0;
}

void scp_spool_ack(struct scp_spool *sp, struct scp_spool_rec *rec)
{
	if (!rec || rec->acked)
		return;
	rec->acked = true;
	sp->depth--;
	sp->st.acked++;
	advance_head(sp);
}

struct scp_spool_rec *scp_spool_first(struct scp_spool *sp)
{
	return llist_first_entry_or_null(&sp->recs, struct scp_spool_rec, list);
}

struct scp_spool_rec *scp_spool_next(struct scp_spool *sp, struct scp_spool_rec *rec)
{
	if (rec->list.next == &sp->recs)
		return NULL;
	return llist_entry(rec->list.next, struct scp_spool_rec, list);
}

/* --- sync, truncate, compact --------------------------------------------------------------------------- */

/* Rewrite the held records into a new file and rename it over the old one. */
static int compact(struct scp_spool *sp)
{
	uint8_t hdr[SCP_SPOOL_REC_HDR];
	struct scp_spool_rec *r;
	uint64_t off = 0;
	int fd, nfd, rc = 0;

	fd = open(sp->tmp_path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
	if (fd < 0)
		return -errno;
	llist_for_each_entry(r, &sp->recs, list) {
		struct iovec iov[2] = { { hdr, sizeof(hdr) }, { r->data, r->len } };

		rec_header(hdr, r);
		rc = write_all(fd, iov, r->len ? 2 : 1);
		if (rc < 0)
			goto fail;
	}
	if (fdatasync(fd) < 0 || rename(sp->tmp_path, sp->path) < 0) {
		rc = -errno;
		goto fail;
	}
	close(fd);
	sync_dir(sp);
	nfd = open(sp->path, O_RDWR | O_APPEND | O_CLOEXEC);
	if (nfd < 0) {
		/* the records are safe in the new file; appends have nowhere to go until the next open */
		rc = -errno;
		LOGSP(sp, LOGL_ERROR, "cannot reopen after compaction: %s\n", strerror(-rc));
		return rc;
	}
	close(sp->fd);
	sp->fd = nfd;
	llist_for_each_entry(r, &sp->recs, list) {
		r->off = off;
		off += SCP_SPOOL_REC_HDR + r->len;
	}
	sp->file_size = off;
	sp->mem_only = 0;
	sp->st.compactions++;
	return 0;
fail:
	close(fd);
	unlink(sp->tmp_path);
	LOGSP(sp, LOGL_ERROR, "compaction failed: %s\n", strerror(-rc));
	return rc;
}

int scp_spool_sync(struct scp_spool *sp)
{
	struct scp_spool_rec *first;
	int rc = 0;

	osmo_timer_del(&sp->timer);
	if (sp->dirty) {
		if (fdatasync(sp->fd) < 0) {
			rc = -errno;
			LOGSP(sp, LOGL_ERROR, "fdatasync: %s\n", strerror(-rc));
		} else {
			sp->dirty = false;
		}
		sp->st.syncs++;
	}
	if (sp->head != sp->head_persisted || sp->next_seq + SEQ_BLOCK / 2 > sp->reserved) {
		int mrc = meta_write(sp, sp->next_seq + SEQ_BLOCK / 2 > sp->reserved ? sp->next_seq + SEQ_BLOCK :
				     sp->reserved);

		if (mrc < 0)
			rc = mrc;
	}
	first = scp_spool_first(sp);
	if (!first && sp->file_size) {
		/* everything is done: the head says so even if this truncation is lost */
		if (ftruncate(sp->fd, 0) < 0) {
			rc = -errno;
			LOGSP(sp, LOGL_ERROR, "cannot truncate: %s\n", strerror(-rc));
		} else {
			sp->file_size = 0;
		}
	} else if (first && (sp->mem_only || (first->off > sp->bytes && first->off >= COMPACT_MIN))) {
		int crc = compact(sp);

		if (crc < 0)
			rc = crc;
	}
	return rc;
}

int scp_spool_set_max_bytes(struct scp_spool *sp, uint64_t max_bytes)
{
	if (max_bytes < SCP_SPOOL_MIN_BYTES)
		return -EINVAL;
	sp->max_bytes = max_bytes;
	enforce_bound(sp, 0);
	return 0;
}

unsigned int scp_spool_depth(const struct scp_spool *sp)
{
	return sp->depth;
}

uint64_t scp_spool_bytes(const struct scp_spool *sp)
{
	return sp->bytes;
}

uint64_t scp_spool_file_size(const struct scp_spool *sp)
{
	return sp->file_size;
}

uint64_t scp_spool_head(const struct scp_spool *sp)
{
	return sp->head;
}

uint64_t scp_spool_next_seq(const struct scp_spool *sp)
{
	return sp->next_seq;
}

uint64_t scp_spool_run_base(const struct scp_spool *sp)
{
	return sp->run_base;
}

const struct scp_spool_stats *scp_spool_stats(const struct scp_spool *sp)
{
	return &sp->st;
}
