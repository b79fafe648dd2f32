// kshim/include/linux/errno.h: a stand-in that passes through. The C
// library's <errno.h> includes <linux/errno.h> for the error numbers, which
// are the kernel's own: the first inclusion (from the C library, before the
// kernel file) takes the system header; pfncache.c's own #include then
// finds everything declared.
#ifndef PFV_KSHIM_LINUX_ERRNO_H
#define PFV_KSHIM_LINUX_ERRNO_H
#include_next <linux/errno.h>
#endif
