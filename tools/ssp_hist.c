/* SPDX-License-Identifier: AGPL-3.0-or-later */
/* tandem-ssp: log-bucket latency histogram (see ssp_hist.h for the bucket layout). */

#include <errno.h>
#include <string.h>

#include "ssp_hist.h"

void ssp_hist_reset(struct ssp_hist *h)
{
	memset(h, 0, sizeof(*h));
}

unsigned int ssp_hist_bucket_of(uint64_t v)
{
	unsigned int e;

	if (v < SSP_HIST_SUB)
		return v;
	e = 63 - __builtin_clzll(v);	/* v >= 32: e >= SUB_BITS */
	return SSP_HIST_SUB + (e - SSP_HIST_SUB_BITS) * SSP_HIST_SUB +
	       (unsigned int)((v >> (e - SSP_HIST_SUB_BITS)) & (SSP_HIST_SUB - 1));
}

int ssp_hist_bucket_range(uint64_t *lo, uint64_t *hi, unsigned int b)
{
	unsigned int e, sub;
	uint64_t width;

	if (b >= SSP_HIST_BUCKETS)
		return -EINVAL;
	if (b < SSP_HIST_SUB) {
		*lo = *hi = b;
		return 0;
	}
	e = (b - SSP_HIST_SUB) / SSP_HIST_SUB + SSP_HIST_SUB_BITS;
	sub = (b - SSP_HIST_SUB) % SSP_HIST_SUB;
	width = 1ull << (e - SSP_HIST_SUB_BITS);
	*lo = (1ull << e) + sub * width;
	*hi = *lo + (width - 1);
	return 0;
}

void ssp_hist_add(struct ssp_hist *h, uint64_t v)
{
	if (!h->count || v < h->min)
		h->min = v;
	if (v > h->max)
		h->max = v;
	h->count++;
	h->sum += v;
	h->bucket[ssp_hist_bucket_of(v)]++;
}

void ssp_hist_merge(struct ssp_hist *dst, const struct ssp_hist *src)
{
	unsigned int b;

	if (!src->count)
		return;
	if (!dst->count || src->min < dst->min)
		dst->min = src->min;
	if (src->max > dst->max)
		dst->max = src->max;
	dst->count += src->count;
	dst->sum += src->sum;
	for (b = 0; b < SSP_HIST_BUCKETS; b++)
		dst->bucket[b] += src->bucket[b];
}

uint64_t ssp_hist_quantile(const struct ssp_hist *h, double q)
{
	uint64_t rank, seen = 0, lo, hi;
	unsigned int b;
	double x;

	if (!h->count)
		return 0;
	if (!(q > 0))
		return h->min;
	if (q >= 1)
		return h->max;
	/* the small slack keeps 0.99 * 100 (98.99999...) from becoming rank 99 and 99.000...1 rank 100 */
	x = q * (double)h->count - 1e-9;
	rank = (uint64_t)x;
	if ((double)rank < x)
		rank++;	/* ceil() without libm */
	if (rank < 1)
		rank = 1;
	for (b = 0; b < SSP_HIST_BUCKETS; b++) {
		seen += h->bucket[b];
		if (seen >= rank)
			break;
	}
	if (b == SSP_HIST_BUCKETS || ssp_hist_bucket_range(&lo, &hi, b))
		return h->max;
	return hi < h->max ? hi : h->max;
}
