# tao: builds, and the README's two commands (make demo, make check).
#
#   make            module (kmod/tao.ko) and userspace (build/)
#   make module     the module only; KDIR=/path/to/headers overrides
#   make demo       boot the VM with swtpm and tao.ko and show what it reports
#   make check      every test; ends with "N passed, N failed"
#   make lint       checkpatch --strict, sparse, clang-format

KABI ?= $(shell scripts/kabi 2>/dev/null)
KDIR ?= $(firstword $(wildcard /lib/modules/$(KABI)/build /usr/src/linux-headers-$(KABI)))
BUILD ?= build
BUILD_CHECK ?= build-check

.PHONY: all module userspace deps demo check lint clean

all: module userspace

deps:
	@scripts/deps

module:
	@test -n "$(KDIR)" || { echo "tao: no kernel headers (make deps, or KDIR=...)" >&2; exit 1; }
	$(MAKE) -C $(KDIR) M=$(CURDIR) W=1 modules

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
