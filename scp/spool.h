/* SPDX-License-Identifier: AGPL-3.0-or-later */
/* An append-only on-disk spool of records (tandem-scp's call events on their way to the server).
 *
 * Records are appended to PATH (framed: magic, length, sequence number, CRC-32C) and kept in memory until
 * acknowledged. Data is written at once and fdatasync()ed in batches (an osmo_timer, at most every
 * fsync_ms). PATH.meta holds the head (every record with seq <= head is done: acknowledged or dropped) and
 * the reservation of sequence numbers, in two CRC-checked slots written alternately, so a torn write of one
 * slot leaves the other. On open the spool replays every record after the head in order; a torn or corrupt
 * tail (a crash between write and fsync) is detected by its frame and cut off, never misread. Sequence
 * numbers are reserved in blocks persisted before use, so none is ever handed out twice, also after a
 * crash that lost records. The spool is bounded in bytes: when full, the oldest records are dropped,
 * counted and reported to the owner. The file is truncated when everything is acknowledged and compacted
 * (rewritten and renamed) when the acknowledged part at its start outgrows the live part. */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <osmocom/core/linuxlist.h>

/*! Largest payload of one record. */
#define SCP_SPOOL_REC_MAX	(1024 * 1024)
/*! Bytes a record takes on disk besides its payload. */
#define SCP_SPOOL_REC_HDR	20
/*! Smallest bound a spool accepts. */
#define SCP_SPOOL_MIN_BYTES	(64 * 1024)

struct scp_spool;

/*! One record in the spool, in memory. The owner may read seq, len and data and use user; the rest is the
 *  spool's. A record stays valid until it is acknowledged or dropped (the drop callback says so). */
struct scp_spool_rec {
	struct llist_head list;	/*!< the spool's, oldest first */
	uint64_t seq;		/*!< unique and increasing, also across restarts */
	uint64_t off;		/*!< where the record starts in the data file */
	uint32_t len;
	bool acked;
	void *user;		/*!< the owner's */
	uint8_t data[];
};

/*! Called for each record the bound pushes out, just before it is freed. */
typedef void (*scp_spool_drop_cb)(struct scp_spool_rec *rec, void *data);

struct scp_spool_cfg {
	const char *path;		/*!< data file; the head lives in path + ".meta" */
	uint64_t max_bytes;		/*!< bound of the live records on disk (payload + header) */
	unsigned int fsync_ms;		/*!< longest time a record waits for fdatasync; 0: at each append */
	int log_ss;			/*!< logging subsystem */
	scp_spool_drop_cb drop_cb;	/*!< may be NULL */
	void *drop_data;
};

/*! Counters of a spool since it was opened. */
struct scp_spool_stats {
	uint64_t appended;
	uint64_t acked;
	uint64_t dropped;		/*!< pushed out by the bound before they were acknowledged */
	uint64_t replayed;		/*!< found on disk at open */
	uint64_t torn_bytes;		/*!< cut off the tail at open */
	uint64_t syncs;			/*!< fdatasync() calls on the data file */
	uint64_t compactions;
	uint64_t write_errors;
};

/*! \brief Open (or create) the spool at cfg->path and load the records not yet acknowledged.
 *  \returns 0 or a negative errno (the file cannot be opened, read or locked, or cfg is out of range) */
int scp_spool_open(struct scp_spool **out, void *ctx, const struct scp_spool_cfg *cfg);
/*! \brief Sync what is pending, persist the head and free the spool (NULL is fine). */
void scp_spool_close(struct scp_spool *sp);
/*! \brief Append a record (written at once, synced by the batch timer); may drop the oldest ones.
 *  \param[out] rec_out the new record (may be NULL)
 *  \returns 0, -EMSGSIZE (larger than SCP_SPOOL_REC_MAX or the bound) or -ENOMEM. A failed write to the
 *           file is logged and counted, the record is still kept in memory. */
int scp_spool_append(struct scp_spool *sp, const void *data, size_t len, struct scp_spool_rec **rec_out);
/*! \brief The record is acknowledged: it goes when every older record has gone too. */
void scp_spool_ack(struct scp_spool *sp, struct scp_spool_rec *rec);
/*! \brief The oldest record still held (acknowledged ones out of order included), or NULL. */
struct scp_spool_rec *scp_spool_first(struct scp_spool *sp);
/*! \brief The record after rec, or NULL. */
struct scp_spool_rec *scp_spool_next(struct scp_spool *sp, struct scp_spool_rec *rec);
/*! \brief fdatasync the data file, persist the head, truncate or compact the file now.
 *  \returns 0 or a negative errno */
int scp_spool_sync(struct scp_spool *sp);
/*! \brief Change the bound (drops the oldest records if they no longer fit). \returns 0 or -EINVAL */
int scp_spool_set_max_bytes(struct scp_spool *sp, uint64_t max_bytes);
/*! \brief Records not yet acknowledged. */
unsigned int scp_spool_depth(const struct scp_spool *sp);
/*! \brief Bytes the held records take on disk. */
uint64_t scp_spool_bytes(const struct scp_spool *sp);
/*! \brief Size of the data file. */
uint64_t scp_spool_file_size(const struct scp_spool *sp);
/*! \brief Every record with this sequence number or lower is done. */
uint64_t scp_spool_head(const struct scp_spool *sp);
/*! \brief The sequence number the next successful append gets (to put it inside the record). */
uint64_t scp_spool_next_seq(const struct scp_spool *sp);
/*! \brief The first sequence number handed out by this open spool (unique per run). */
uint64_t scp_spool_run_base(const struct scp_spool *sp);
const struct scp_spool_stats *scp_spool_stats(const struct scp_spool *sp);
/*! \brief CRC-32C (Castagnoli), as used in the record frames. */
uint32_t scp_spool_crc32c(uint32_t crc, const void *data, size_t len);
