// kshim/include/linux/kvm.h: a stand-in. What pfncache.c needs from the
// kernel's <linux/kvm.h> is declared by kshim/bridge.hpp (see kshim/kshim.h).
#pragma once
