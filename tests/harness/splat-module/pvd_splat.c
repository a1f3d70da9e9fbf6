// SPDX-License-Identifier: GPL-2.0
/*
 * pvd_splat: provokes one real kernel report, for the test harness's
 * self-tests.  They load it in a guest and check that the test during which
 * the report appeared fails, i.e. that the harness's splat detection fires
 * on what the kernel really prints, not only on text a test wrote itself.
 *
 *   what=warn   a WARN() (the report every kernel can give)
 *   what=kfence a use-after-free read of a KFENCE-guarded object (the
 *               report only a guest booted with KFENCE sampling gives)
 *   what=kasan  a read one byte past a kmalloc()ed object (reported by a
 *               KASAN kernel only: the debug kernel)
 *   what=lockdep two mutexes taken in both orders, one after the other: no
 *               deadlock happens, but lockdep (debug kernel) reports the
 *               inversion as a possible one
 *
 * Loading always fails with -ECANCELED after the report, so the module never
 * stays loaded.  Never build this into anything but a test guest.
 */

#include <linux/delay.h>
#include <linux/jiffies.h>
#include <linux/kfence.h>
#include <linux/module.h>
#include <linux/mutex.h>
#include <linux/slab.h>

static char *what = "warn";
module_param(what, charp, 0444);
MODULE_PARM_DESC(what, "report to provoke: warn, kfence, kasan or lockdep");

/*
 * KFENCE guards one sampled allocation per sample interval: allocate until
 * one lands in its pool (or give up after 30 s: sampling is off).
 */
static int pvd_splat_kfence(void)
{
	unsigned long deadline = jiffies + 30 * HZ;
	char *p;

	while (time_before(jiffies, deadline)) {
		p = kmalloc(32, GFP_KERNEL);
		if (!p)
			return -ENOMEM;
		if (is_kfence_address(p)) {
			kfree(p);
			pr_info("pvd_splat: read after free: %d\n", READ_ONCE(p[0]));
			return -ECANCELED;
		}
		kfree(p);
		usleep_range(1000, 2000);
	}
	pr_info("pvd_splat: no KFENCE allocation in 30 s (sampling off?)\n");
	return -ETIMEDOUT;
}

/* Read past the end: KASAN poisons the bytes after the requested size. */
static int pvd_splat_kasan(void)
{
	size_t size = 30;
	char *p = kmalloc(size, GFP_KERNEL);

	if (!p)
		return -ENOMEM;
	pr_info("pvd_splat: read out of bounds: %d\n", READ_ONCE(p[size]));
	kfree(p);
	return -ECANCELED;
}

static DEFINE_MUTEX(pvd_splat_a);
static DEFINE_MUTEX(pvd_splat_b);

/* a then b, later b then a: the order lockdep records, then its inverse. */
static int pvd_splat_lockdep(void)
{
	mutex_lock(&pvd_splat_a);
	mutex_lock(&pvd_splat_b);
	mutex_unlock(&pvd_splat_b);
	mutex_unlock(&pvd_splat_a);

	mutex_lock(&pvd_splat_b);
	mutex_lock(&pvd_splat_a);
	mutex_unlock(&pvd_splat_a);
	mutex_unlock(&pvd_splat_b);
	return -ECANCELED;
}

static int __init pvd_splat_init(void)
{
	if (!strcmp(what, "warn")) {
		WARN(1, "pvd_splat: provoked warning\n");
		return -ECANCELED;
	}
	if (!strcmp(what, "kfence"))
		return pvd_splat_kfence();
	if (!strcmp(what, "kasan"))
		return pvd_splat_kasan();
	if (!strcmp(what, "lockdep"))
		return pvd_splat_lockdep();
	return -EINVAL;
}
module_init(pvd_splat_init);

MODULE_DESCRIPTION("Provokes a kernel report for the pvdisplay harness self-tests");
MODULE_LICENSE("GPL");
