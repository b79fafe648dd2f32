// kshim/include/linux/kvm_host.h: a stand-in. What pfncache.c needs from the
// kernel's <linux/kvm_host.h> is declared by kshim/bridge.hpp (see kshim/kshim.h).
#pragma once
