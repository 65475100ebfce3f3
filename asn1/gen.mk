# SPDX-License-Identifier: AGPL-3.0-or-later
# Builds everything asn1c wrote into this directory (generated types plus the
# runtime skeletons it copied) into one static library. Run from asn1/local.mk.
SRCS := $(sort $(wildcard *.c))
OBJS := $(SRCS:.c=.o)

libtandem-asn1.a: $(OBJS)
	@rm -f $@
	@$(AR) rcs $@ $(OBJS)

%.o: %.c
	@$(CC) $(CFLAGS) -I. -c -o $@ $<
