# tao: builds, and the README's two commands (make demo, make check).
#
#   make            module (kmod/tao.ko) and userspace (build/)
#   make module     the module only; KDIR=/path/to/headers overrides
#   make module-next the module for the 6.12 kernel too (compatibility)
#   make demo       the first boot: a registrar, the factory, the device VM enrolling itself
#   make demo-module boot the VM with swtpm and tao.ko and show what the module reports
#   make check      every test; ends with "N passed, N failed"
#   make lint       checkpatch --strict, sparse, clang-format
#   make install    userspace, units, rules, policy (meson install) and the module
#                   (lib/modules/<abi>/extra); DESTDIR=/path stages it (docs/install.md)

KABI ?= $(shell scripts/kabi 2>/dev/null)
KDIR ?= $(firstword $(wildcard /lib/modules/$(KABI)/build /usr/src/linux-headers-$(KABI)))
# The second kernel the module is built and tested against (Debian 13's 6.12 LTS).
KABI_NEXT ?= $(shell scripts/kabi-next 2>/dev/null)
KDIR_NEXT ?= $(firstword $(wildcard /usr/src/linux-headers-$(KABI_NEXT)))
BUILD ?= build
BUILD_CHECK ?= build-check

.PHONY: all module module-next userspace deps demo demo-module check lint clean \
	install install-userspace install-module

all: module userspace

deps:
	@scripts/deps

module:
	@test -n "$(KDIR)" || { echo "tao: no kernel headers (make deps, or KDIR=...)" >&2; exit 1; }
	$(MAKE) -C $(KDIR) M=$(CURDIR) W=1 modules

# Built from a copy, so the two kernels' objects never mix: $(BUILD)/kmod-<abi>/kmod/tao.ko
module-next:
	@test -n "$(KDIR_NEXT)" || { echo "tao: no 6.12 kernel headers (make deps)" >&2; exit 1; }
	rm -rf $(BUILD)/kmod-$(KABI_NEXT) && mkdir -p $(BUILD)/kmod-$(KABI_NEXT)/kmod
	cp Kbuild $(BUILD)/kmod-$(KABI_NEXT)/ && cp -r include $(BUILD)/kmod-$(KABI_NEXT)/
	cp kmod/Kbuild kmod/*.c kmod/*.h $(BUILD)/kmod-$(KABI_NEXT)/kmod/
	$(MAKE) -C $(KDIR_NEXT) M=$(CURDIR)/$(BUILD)/kmod-$(KABI_NEXT) W=1 modules

# prefix /usr: meson then also takes sysconfdir /etc and localstatedir /var (make install).
MESON_SETUP_OPTS ?= --prefix=/usr
$(BUILD)/build.ninja:
	meson setup $(BUILD) $(MESON_SETUP_OPTS)

userspace: $(BUILD)/build.ninja
	ninja -C $(BUILD)

# The whole first boot: a registrar here, the factory, the device's first boot in the VM.
# (The module alone, as it reports itself: make demo-module.)
demo: deps
	@$(MAKE) --no-print-directory all
	@scripts/fetch-kernel >/dev/null
	@scripts/demo $(BUILD)

demo-module: deps
	@$(MAKE) --no-print-directory all
	@scripts/fetch-kernel >/dev/null
	tests/vm/run --build $(BUILD) --cmd 'bash $(CURDIR)/scripts/demo-guest'

# make install [DESTDIR=/stage]: what goes where is docs/install.md. The module is
# installed unsigned (MODULE_SIGN=yes keeps the kernel's own signing step, which needs
# the kernel's signing key); depmod runs only for a real install (no DESTDIR).
DESTDIR ?=
MODULE_SIGN ?= no
# The release the module is built for: lib/modules/<it>/extra (Debian's headers print another
# one for "make kernelrelease"; utsrelease.h is what the module's vermagic carries).
KREL = $(shell sed -n 's/^\#define UTS_RELEASE "\(.*\)"/\1/p' $(KDIR)/include/generated/utsrelease.h)
install: install-userspace install-module

install-userspace: userspace
	meson install -C $(BUILD) --no-rebuild $(if $(DESTDIR),--destdir "$(abspath $(DESTDIR))")

install-module: module
	$(MAKE) -C $(KDIR) M=$(CURDIR) modules_install INSTALL_MOD_DIR=extra \
		$(if $(DESTDIR),INSTALL_MOD_PATH="$(abspath $(DESTDIR))") \
		$(if $(filter yes,$(MODULE_SIGN)),,CONFIG_MODULE_SIG_ALL=)
	$(if $(DESTDIR),,depmod -a $(KREL))

check: deps
	@tests/check

lint: deps
	@tests/check --lint-only

clean:
	-test -n "$(KDIR)" && $(MAKE) -C $(KDIR) M=$(CURDIR) clean
	rm -rf $(BUILD) $(BUILD_CHECK)
