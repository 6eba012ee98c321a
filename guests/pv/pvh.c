/*
 * pvh.c: our guests booted as PVH.  head.S enters pvh_main in long mode
 * with the first 4 GiB identity-mapped; we set up hypercalls (Xen's page
 * through its CPUID leaves and MSR), read the console and store (or noxs
 * device page) frames and ports from the HVM parameters, and build a PV
 * start_info from them and the hvm_start_info, so that the guest's own
 * code (pv_main) runs unchanged.  Frames are guest frames: VA == PA.
 */
#include "pv.h"

#include <xen/memory.h>
#include <xen/hvm/hvm_op.h>
#include <xen/hvm/params.h>
#include <xen/arch-x86/hvm/start_info.h>

void pvh_main(uint32_t start_info_paddr);
void pv_main(start_info_t *si);

int pv_translated;

static start_info_t pvh_si;

static void
cpuid(uint32_t leaf, uint32_t r[4])
{
	__asm__ __volatile__("cpuid"
			     : "=a"(r[0]), "=b"(r[1]), "=c"(r[2]), "=d"(r[3])
			     : "a"(leaf), "c"(0));
}

/* Ask Xen to fill hypercall_page: its CPUID leaves name the MSR.  Returns
 * 0, or -1 when this is not Xen. */
static int
hypercall_init(void)
{
	uint32_t base, r[4];

	for (base = 0x40000000; base < 0x40010000; base += 0x100) {
		cpuid(base, r);
		/* "XenVMMXenVMM" in ebx, ecx, edx */
		if (r[1] == 0x566e6558 && r[2] == 0x65584d4d &&
		    r[3] == 0x4d4d566e && r[0] - base >= 2)
			break;
	}
	if (base >= 0x40010000)
		return -1;
	cpuid(base + 2, r);
	__asm__ __volatile__(
		"wrmsr"
		:
		: "c"(r[1]), "a"((uint32_t)(uintptr_t)hypercall_page),
		  "d"((uint32_t)((uintptr_t)hypercall_page >> 32)));
	return 0;
}

static uint64_t
hvm_param(uint32_t index)
{
	struct xen_hvm_param p = {.domid = DOMID_SELF, .index = index};

	if (hypercall3(__HYPERVISOR_hvm_op, HVMOP_get_param, (unsigned long)&p,
		       0) != 0)
		return 0;
	return p.value;
}

/* shared_info onto a page of our image (PV: update_va_mapping) */
int
pv_map_shared_info(void *page)
{
	struct xen_add_to_physmap a = {
		.domid = DOMID_SELF,
		.space = XENMAPSPACE_shared_info,
		.idx = 0,
		.gpfn = (uintptr_t)page >> 12,
	};

	return (int)hypercall3(__HYPERVISOR_memory_op, XENMEM_add_to_physmap,
			       (unsigned long)&a, 0);
}

void
pvh_main(uint32_t start_info_paddr)
{
	const struct hvm_start_info *h =
		(const struct hvm_start_info *)(uintptr_t)start_info_paddr;
	const char *cmdline;
	size_t i;

	if (hypercall_init() < 0)
		for (;;)
			__asm__ __volatile__("hlt");
	pv_translated = 1;
	pv_memcpy(pvh_si.magic, "xen-3.0-x86_64", 15);
	if (h->magic == XEN_HVM_START_MAGIC_VALUE && h->cmdline_paddr != 0 &&
	    h->cmdline_paddr < (1ULL << 32)) {
		cmdline = (const char *)(uintptr_t)h->cmdline_paddr;
		for (i = 0; i + 1 < sizeof(pvh_si.cmd_line) && cmdline[i]; i++)
			pvh_si.cmd_line[i] = (int8_t)cmdline[i];
	}
	pvh_si.store_mfn = hvm_param(HVM_PARAM_STORE_PFN);
	pvh_si.store_evtchn = (uint32_t)hvm_param(HVM_PARAM_STORE_EVTCHN);
	pvh_si.console.domU.mfn = hvm_param(HVM_PARAM_CONSOLE_PFN);
	pvh_si.console.domU.evtchn =
		(uint32_t)hvm_param(HVM_PARAM_CONSOLE_EVTCHN);
	pv_main(&pvh_si);
}
