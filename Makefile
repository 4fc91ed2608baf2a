# SPDX-License-Identifier: GPL-2.0-or-later
# hanet — quiet unless V=1.  `make`, `make check`, `make install`, `make clean`.

PREFIX ?= /usr/local
BINDIR ?= $(PREFIX)/sbin
MANDIR ?= $(PREFIX)/share/man
UNITDIR ?= $(PREFIX)/lib/systemd/system
DATADIR ?= $(PREFIX)/share/hanet
# Pacemaker looks for resource agents under /usr/lib/ocf: OCFDIR=/usr/lib/ocf
OCFDIR ?= $(PREFIX)/lib/ocf
COMPLETIONDIR ?= $(PREFIX)/share/bash-completion/completions
DESTDIR ?=
PKG_CONFIG ?= pkg-config
CC ?= cc
CLANG ?= clang

VERSION := $(shell cat VERSION 2>/dev/null || echo 0.0.0)

PKGS := libnl-3.0 libnl-route-3.0 libmnl libteam
PKG_CFLAGS := $(shell $(PKG_CONFIG) --cflags $(PKGS) 2>/dev/null)
PKG_LIBS := $(shell $(PKG_CONFIG) --libs $(filter-out libteam,$(PKGS)) 2>/dev/null)
SYSTEMD_CFLAGS := $(shell $(PKG_CONFIG) --cflags libsystemd 2>/dev/null)

WARNINGS := -Wall -Wextra -Wmissing-prototypes -Wstrict-prototypes -Wformat=2 \
	-Wno-unused-parameter -Wshadow -Wpointer-arith -Wvla
CFLAGS ?= -O2 -g
CFLAGS += -std=gnu11 $(WARNINGS) -Iinclude $(PKG_CFLAGS) $(SYSTEMD_CFLAGS) \
	-DHANET_VERSION='"$(VERSION)"' -D_GNU_SOURCE -MMD -MP
ifneq ($(WERROR),)
CFLAGS += -Werror
endif
ifneq ($(SANITIZE),)
CFLAGS += -fsanitize=$(SANITIZE) -fno-omit-frame-pointer
LDFLAGS += -fsanitize=$(SANITIZE)
endif
# libnl is linked in where its archives are installed (Debian's -dev
# packages ship them; STATIC_LIBS= links it dynamically): a hanet process
# then maps fewer libraries and runs only
# the libnl module constructors it uses, a few milliseconds less at every
# start (`hanet vip takeover` is on the failover path).  libmnl has no
# archive; libteam and libsystemd are loaded on demand (libteam-dl.c,
# sdnotify.c).
STATIC_LIBS ?= $(if $(and $(wildcard $(shell $(CC) -print-file-name=libnl-3.a)),\
	$(wildcard $(shell $(CC) -print-file-name=libnl-route-3.a))),1)
ifneq ($(STATIC_LIBS),)
LDLIBS += -Wl,-Bstatic -lnl-route-3 -lnl-3 -Wl,-Bdynamic $(shell $(PKG_CONFIG) --libs libmnl 2>/dev/null) -lm -ldl -lpthread
else
LDLIBS += $(PKG_LIBS) -lm -ldl
endif

ifeq ($(V),1)
Q :=
quiet = 
else
Q := @
quiet = @printf '  %-7s %s\n' $(1) $(2);
endif

BUILD := build
SRCS := $(sort $(wildcard src/*/*.c))
OBJS := $(SRCS:src/%.c=$(BUILD)/%.o)
# the commands (src/cmd) on top of the library, built from every other folder
CMD_OBJS := $(filter $(BUILD)/cmd/%,$(OBJS))
LIB_OBJS := $(filter-out $(BUILD)/cmd/%,$(OBJS))
UNIT_SRCS := $(sort $(wildcard tests/unit/test-*.c))
UNIT_BINS := $(UNIT_SRCS:tests/unit/%.c=$(BUILD)/tests/%)
TOOL_SRCS := $(sort $(wildcard tests/tools/*.c))
TOOL_BINS := $(TOOL_SRCS:tests/tools/%.c=$(BUILD)/tests/%)

all: hanet

hanet: $(CMD_OBJS) $(BUILD)/libhanet.a
	$(call quiet,LD,$@)$(CC) $(LDFLAGS) -o $@ $^ $(LDLIBS)

$(BUILD)/%.o: src/%.c
	$(call quiet,CC,$<)mkdir -p $(@D) && $(CC) $(CFLAGS) -c -o $@ $<

$(BUILD)/libhanet.a: $(LIB_OBJS) | $(BUILD)
	$(call quiet,AR,$@)rm -f $@; ar rcs $@ $^

$(BUILD)/tests/%: tests/unit/%.c $(BUILD)/libhanet.a | $(BUILD)/tests
	$(call quiet,CC,$<)$(CC) $(CFLAGS) -Itests/unit -o $@ $< $(BUILD)/libhanet.a $(LDFLAGS) $(LDLIBS) -lcmocka

$(BUILD)/tests/%: tests/tools/%.c $(BUILD)/libhanet.a | $(BUILD)/tests
	$(call quiet,CC,$<)$(CC) $(CFLAGS) -o $@ $< $(BUILD)/libhanet.a $(LDFLAGS) $(LDLIBS)

# The test build: hanet with the test hooks (-DHANET_TEST_HOOKS: a step
# fails on request, HANET_FAIL_AT=k).  Only the sources that have hooks
# are compiled twice; the hanet that is installed has none of them.
HOOK_SRCS := $(shell grep -l HANET_TEST_HOOKS $(SRCS))
HOOK_OBJS := $(HOOK_SRCS:src/%.c=$(BUILD)/hooks/%.o)
$(BUILD)/tests/hanet-test: $(filter-out $(HOOK_SRCS:src/%.c=$(BUILD)/%.o),$(OBJS)) $(HOOK_OBJS) | $(BUILD)/tests
	$(call quiet,LD,$@)$(CC) $(LDFLAGS) -o $@ $^ $(LDLIBS)

# lock-race takes the locks of the test build (a window widened on request)
$(BUILD)/tests/lock-race: tests/tools/lock-race.c $(BUILD)/hooks/engine/lock.o $(BUILD)/libhanet.a | $(BUILD)/tests
	$(call quiet,CC,$<)$(CC) $(CFLAGS) -o $@ $< $(BUILD)/hooks/engine/lock.o $(BUILD)/libhanet.a $(LDFLAGS) $(LDLIBS)

$(BUILD)/hooks/%.o: src/%.c
	$(call quiet,CC-HOOK,$<)mkdir -p $(@D) && $(CC) $(CFLAGS) -DHANET_TEST_HOOKS -c -o $@ $<

$(BUILD) $(BUILD)/tests $(BUILD)/hooks:
	$(Q)mkdir -p $@

tests: hanet $(BUILD)/tests/hanet-test $(UNIT_BINS) $(TOOL_BINS)

# Every test: unit (no root), profile fixtures, then the root tests in
# namespaces (host kernel) and the kernel tests (user-mode Linux when the
# host kernel lacks bonding/team/8021q).  TESTS=... selects suites.
check: tests
	$(Q)./tests/run-tests $(TESTS)

check-unit: tests
	$(Q)./tests/run-tests unit profiles

# libFuzzer + ASan targets (clang), one per tests/fuzz/fuzz-NAME.c: the
# profile loader, the [routes] file parser, netlink messages into the model.
# the library only: main.c and the command layer (cmd-*.c) are not fuzzed
FUZZ_SRCS := $(filter-out src/cmd/%,$(SRCS))
FUZZ_BINS := $(patsubst tests/fuzz/%.c,$(BUILD)/%,$(sort $(wildcard tests/fuzz/fuzz-*.c)))
FUZZ_CFLAGS := -std=gnu11 -g -O1 -fsanitize=address,undefined -fno-sanitize-recover=all -D_GNU_SOURCE \
	-Iinclude $(PKG_CFLAGS) $(SYSTEMD_CFLAGS) -DHANET_VERSION='"$(VERSION)"'
fuzz: $(FUZZ_BINS)
$(BUILD)/fuzz/%.o: src/%.c
	$(call quiet,CLANG,$<)mkdir -p $(@D) && $(CLANG) $(FUZZ_CFLAGS) -fsanitize=fuzzer-no-link -c -o $@ $<
$(BUILD)/fuzz/libhanet.a: $(FUZZ_SRCS:src/%.c=$(BUILD)/fuzz/%.o)
	$(call quiet,AR,$@)rm -f $@; ar rcs $@ $^
$(BUILD)/fuzz-%: tests/fuzz/fuzz-%.c $(BUILD)/fuzz/libhanet.a
	$(call quiet,CLANG,$@)$(CLANG) $(FUZZ_CFLAGS) -fsanitize=fuzzer -o $@ $^ $(PKG_LIBS) -lm -ldl

install: hanet
	install -d $(DESTDIR)$(BINDIR) $(DESTDIR)$(MANDIR)/man8 $(DESTDIR)$(MANDIR)/man5
	install -m 0755 hanet $(DESTDIR)$(BINDIR)/hanet
	install -m 0644 doc/hanet.8 $(DESTDIR)$(MANDIR)/man8/hanet.8
	install -m 0644 doc/hanet.ini.5 $(DESTDIR)$(MANDIR)/man5/hanet.ini.5
	install -d $(DESTDIR)$(UNITDIR)
	for u in tools/systemd/*.service; do \
		sed 's|@SBINDIR@|$(BINDIR)|g' "$$u" >$(DESTDIR)$(UNITDIR)/$$(basename "$$u") && \
		chmod 0644 $(DESTDIR)$(UNITDIR)/$$(basename "$$u") || exit 1; \
	done
	install -d $(DESTDIR)$(OCFDIR)/resource.d/hanet $(DESTDIR)$(DATADIR)/keepalived
	sed 's|@SBINDIR@|$(BINDIR)|g' tools/ocf/hanet-vip >$(DESTDIR)$(OCFDIR)/resource.d/hanet/hanet-vip
	chmod 0755 $(DESTDIR)$(OCFDIR)/resource.d/hanet/hanet-vip
	sed 's|@SBINDIR@|$(BINDIR)|g' tools/keepalived/hanet-notify >$(DESTDIR)$(DATADIR)/keepalived/hanet-notify
	chmod 0755 $(DESTDIR)$(DATADIR)/keepalived/hanet-notify
	sed 's|@DATADIR@|$(DATADIR)|g' tools/keepalived/keepalived.conf >$(DESTDIR)$(DATADIR)/keepalived/keepalived.conf
	chmod 0644 $(DESTDIR)$(DATADIR)/keepalived/keepalived.conf
	install -d $(DESTDIR)$(COMPLETIONDIR)
	install -m 0644 tools/bash-completion/hanet $(DESTDIR)$(COMPLETIONDIR)/hanet

# The Debian package, built (dpkg-buildpackage -b -us -uc) from a copy of
# the source tree in build/deb/, where the .deb and .changes land.
DEB_ARCH := $(shell dpkg-architecture -qDEB_HOST_ARCH 2>/dev/null)
DEB := $(BUILD)/deb/hanet_$(VERSION)_$(DEB_ARCH).deb
DEB_JOBS ?= 2
deb:
	$(Q)v=$$(dpkg-parsechangelog -S Version); [ "$$v" = "$(VERSION)" ] || \
		{ echo "debian/changelog is at $$v, VERSION at $(VERSION)" >&2; exit 1; }
	$(Q)rm -rf $(BUILD)/deb && mkdir -p $(BUILD)/deb/hanet-$(VERSION)
	$(Q)tar -c --exclude=./build --exclude=./hanet --exclude=./out --exclude=./.git \
		--exclude='*.o' --exclude='*.d' . | tar -x -C $(BUILD)/deb/hanet-$(VERSION)
	$(call quiet,DEB,$(DEB))cd $(BUILD)/deb/hanet-$(VERSION) && \
		dpkg-buildpackage -b -us -uc -j$(DEB_JOBS) >../build.log 2>&1 || { tail -n 30 ../build.log >&2; exit 1; }
	$(Q)rm -rf $(BUILD)/deb/hanet-$(VERSION)
	$(Q)test -f $(DEB)

# Static analysis (clang's scan-build) of everything `make tests`
# compiles, in a tree of its own (the build and ./hanet are left alone):
# the reports in $(BUILD)/scan/report, exit 1 when there is one.
scan:
	$(Q)rm -rf $(BUILD)/scan
	$(Q)scan-build --status-bugs -o $(BUILD)/scan/report $(MAKE) --no-print-directory BUILD=$(BUILD)/scan scan-objs
scan-objs: $(OBJS) $(BUILD)/tests/hanet-test $(UNIT_BINS) $(TOOL_BINS)

clean:
	rm -rf $(BUILD) hanet

.PHONY: all tests check check-unit fuzz install deb clean scan scan-objs

-include $(OBJS:.o=.d) $(HOOK_OBJS:.o=.d)
