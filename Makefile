# tao: builds, and the README's two commands (make demo, make check).
#
#   make            module (kmod/tao.ko) and userspace (build/)
#   make module     the module only; KDIR=/path/to/headers overrides
#   make module-next the module for the 6.12 kernel too (compatibility)
#   make demo       boot the VM with swtpm and tao.ko and show what it reports
#   make check      every test; ends with "N passed, N failed"
#   make lint       checkpatch --strict, sparse, clang-format

KABI ?= $(shell scripts/kabi 2>/dev/null)
KDIR ?= $(firstword $(wildcard /lib/modules/$(KABI)/build /usr/src/linux-headers-$(KABI)))
# The second kernel the module is built and tested against (Debian 13's 6.12 LTS).
KABI_NEXT ?= $(shell scripts/kabi-next 2>/dev/null)
KDIR_NEXT ?= $(firstword $(wildcard /usr/src/linux-headers-$(KABI_NEXT)))
BUILD ?= build
BUILD_CHECK ?= build-check

.PHONY: all module module-next userspace deps demo check lint clean

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

$(BUILD)/build.ninja:
	meson setup $(BUILD)

userspace: $(BUILD)/build.ninja
	ninja -C $(BUILD)

demo: deps
	@$(MAKE) --no-print-directory all
	@scripts/fetch-kernel >/dev/null
	tests/vm/run --build $(BUILD) --cmd 'bash $(CURDIR)/scripts/demo-guest'

check: deps
	@tests/check

lint: deps
	@tests/check --lint-only

clean:
	-test -n "$(KDIR)" && $(MAKE) -C $(KDIR) M=$(CURDIR) clean
	rm -rf $(BUILD) $(BUILD_CHECK)
