// kshim/include/linux/highmem.h: a stand-in. What pfncache.c needs from the
// kernel's <linux/highmem.h> is declared by kshim/bridge.hpp (see kshim/kshim.h).
#pragma once
