/* SPDX-License-Identifier: AGPL-3.0-or-later */
/* tandem-ssp: log-bucket latency histogram (fixed size, no allocation, O(1) insert). */
#pragma once

#include <stdint.h>

/*
 * Values (microseconds in tandem-ssp, but the histogram does not care) below 2^SUB_BITS
 * have a bucket each; above, every power of two [2^e, 2^(e+1)) is split into 2^SUB_BITS
 * equal buckets, so a bucket is at most 1/32 (3.1 %) of its values wide. All of uint64_t
 * fits: 32 + 59 * 32 = 1920 buckets, 7.5 KiB. A quantile is reported as the highest value
 * of its bucket (never below the true value, at most 3.1 % above), capped by the maximum.
 */
#define SSP_HIST_SUB_BITS 5
#define SSP_HIST_SUB (1u << SSP_HIST_SUB_BITS)
#define SSP_HIST_BUCKETS (SSP_HIST_SUB + (64 - SSP_HIST_SUB_BITS) * SSP_HIST_SUB)

struct ssp_hist {
	uint64_t count;
	uint64_t sum;
	uint64_t min, max;
	uint64_t bucket[SSP_HIST_BUCKETS];
};

/*! \brief Empty the histogram. */
void ssp_hist_reset(struct ssp_hist *h);
/*! \brief Count one value. */
void ssp_hist_add(struct ssp_hist *h, uint64_t v);
/*! \brief Add every count of src to dst. */
void ssp_hist_merge(struct ssp_hist *dst, const struct ssp_hist *src);
/*! \brief Index of the bucket that counts v. */
unsigned int ssp_hist_bucket_of(uint64_t v);
/*! \brief Lowest and highest value bucket b counts. \returns 0, or -EINVAL for no such bucket. */
int ssp_hist_bucket_range(uint64_t *lo, uint64_t *hi, unsigned int b);
/*! \brief The q-quantile (0 < q <= 1): the smallest bucket top at or below which at least
 *  ceil(q * count) values lie, capped by the maximum; 0 for an empty histogram. */
uint64_t ssp_hist_quantile(const struct ssp_hist *h, double q);
