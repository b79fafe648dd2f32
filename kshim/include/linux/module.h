// kshim/include/linux/module.h: a stand-in. What pfncache.c needs from the
// kernel's <linux/module.h> is declared by kshim/bridge.hpp (see kshim/kshim.h).
#pragma once
