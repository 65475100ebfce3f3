/* SPDX-License-Identifier: AGPL-3.0-or-later */
/* Unit test of tandem-ssp's latency histogram (tools/ssp_hist.c): bucket layout, quantiles, merge. */

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>

#include "../tools/ssp_hist.h"

static struct ssp_hist h, h2, whole;

static void print_bucket(uint64_t v)
{
	unsigned int b = ssp_hist_bucket_of(v);
	uint64_t lo = 0, hi = 0;

	ssp_hist_bucket_range(&lo, &hi, b);
	printf("value %" PRIu64 ": bucket %u [%" PRIu64 ", %" PRIu64 "]\n", v, b, lo, hi);
}

static void print_quantiles(const char *what, const struct ssp_hist *x)
{
	printf("%s: count %" PRIu64 " min %" PRIu64 " max %" PRIu64 " sum %" PRIu64 " p50 %" PRIu64 " p90 %" PRIu64
	       " p99 %" PRIu64 " p99.9 %" PRIu64 " p100 %" PRIu64 "\n",
	       what, x->count, x->min, x->max, x->sum, ssp_hist_quantile(x, 0.5), ssp_hist_quantile(x, 0.9),
	       ssp_hist_quantile(x, 0.99), ssp_hist_quantile(x, 0.999), ssp_hist_quantile(x, 1));
}

static void test_layout(void)
{
	static const uint64_t v[] = { 0, 1, 31, 32, 33, 63, 64, 65, 66, 100, 500, 900, 990, 1000, 1023, 1024,
				      50000, UINT64_MAX };
	uint64_t lo, hi, next = 0;
	unsigned int b, i, bad = 0;

	printf("%s: %u buckets\n", __func__, SSP_HIST_BUCKETS);
	for (i = 0; i < sizeof(v) / sizeof(v[0]); i++)
		print_bucket(v[i]);
	/* every bucket starts where the one before ended and maps both its ends back to itself */
	for (b = 0; b < SSP_HIST_BUCKETS; b++) {
		if (ssp_hist_bucket_range(&lo, &hi, b) || lo != next || hi < lo || ssp_hist_bucket_of(lo) != b ||
		    ssp_hist_bucket_of(hi) != b || (lo >= 32 && (hi - lo + 1) * 32 > lo)) {
			printf("bucket %u: [%" PRIu64 ", %" PRIu64 "] wrong\n", b, lo, hi);
			bad++;
		}
		next = hi + 1;
	}
	printf("contiguous, self-consistent, width <= 1/32 of the bucket's lowest value: %s; last bucket ends at "
	       "%" PRIu64 "\n", bad ? "NO" : "yes", hi);
	printf("bucket %u: %s\n", SSP_HIST_BUCKETS, ssp_hist_bucket_range(&lo, &hi, SSP_HIST_BUCKETS) ? "refused" :
	       "accepted");
}

static void test_quantiles(void)
{
	uint64_t i;

	printf("%s\n", __func__);
	ssp_hist_reset(&h);
	print_quantiles("empty", &h);
	ssp_hist_add(&h, 12345);
	print_quantiles("one value 12345", &h);

	ssp_hist_reset(&h);
	for (i = 1; i <= 1000; i++)
		ssp_hist_add(&h, i);
	print_quantiles("1..1000", &h);

	ssp_hist_reset(&h);
	for (i = 0; i < 990; i++)
		ssp_hist_add(&h, 100);
	for (i = 0; i < 10; i++)
		ssp_hist_add(&h, 50000);
	print_quantiles("990 x 100, 10 x 50000", &h);

	ssp_hist_reset(&h);
	for (i = 0; i < 100; i++)
		ssp_hist_add(&h, i < 99 ? 7 : 8);
	print_quantiles("99 x 7, 1 x 8", &h);
}

static void test_merge(void)
{
	uint64_t i;
	unsigned int b, diff = 0;

	printf("%s\n", __func__);
	ssp_hist_reset(&h);
	ssp_hist_reset(&h2);
	ssp_hist_reset(&whole);
	for (i = 1; i <= 1000; i++) {
		ssp_hist_add(i % 2 ? &h : &h2, i * 37);
		ssp_hist_add(&whole, i * 37);
	}
	ssp_hist_merge(&h, &h2);
	for (b = 0; b < SSP_HIST_BUCKETS; b++)
		diff += h.bucket[b] != whole.bucket[b];
	print_quantiles("odd + even halves", &h);
	print_quantiles("all at once", &whole);
	printf("buckets that differ: %u\n", diff);
	ssp_hist_reset(&h2);
	ssp_hist_merge(&h, &h2);
	print_quantiles("merged with an empty one", &h);
}

int main(void)
{
	test_layout();
	test_quantiles();
	test_merge();
	return 0;
}
