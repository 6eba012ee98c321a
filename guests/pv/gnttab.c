/*
 * gnttab.c: grant table v1 for our guests, for the devices whose pages we
 * share (a vif's rings and buffers).  The builder already put the console
 * (ref 0) and store (ref 1) entries in the table; we map its first frame
 * onto a page of our image and write entries from ref 8 up.
 */
#include "pv.h"

#include <xen/grant_table.h>
#include <xen/memory.h>

/* a page of our own image, remapped onto the table's first frame */
static char table_page[4096] __attribute__((aligned(4096)));
static volatile grant_entry_v1_t *table;

#define ENTRIES (4096 / sizeof(grant_entry_v1_t))

int
pv_gnttab_init(void)
{
	struct gnttab_setup_table st = {.dom = DOMID_SELF, .nr_frames = 1};
	struct xen_add_to_physmap a = {
		.domid = DOMID_SELF,
		.space = XENMAPSPACE_grant_table,
		.idx = 0,
		.gpfn = (uintptr_t)table_page >> 12,
	};
	xen_pfn_t frame = 0;

	if (table != NULL)
		return 0;
	if (pv_translated) {
		/* PVH: the frame takes our page's place in the physmap */
		if (hypercall3(__HYPERVISOR_memory_op, XENMEM_add_to_physmap,
			       (unsigned long)&a, 0) != 0)
			return -1;
	} else {
		/* PV: Xen names the frame; we map it where our page was */
		set_xen_guest_handle(st.frame_list, &frame);
		if (hypercall3(__HYPERVISOR_grant_table_op,
			       GNTTABOP_setup_table, (unsigned long)&st,
			       1) != 0 ||
		    st.status != GNTST_okay)
			return -1;
		if (hypercall3(__HYPERVISOR_update_va_mapping,
			       (unsigned long)table_page, frame << 12 | 3,
			       UVMF_INVLPG) != 0)
			return -1;
	}
	table = (volatile grant_entry_v1_t *)table_page;
	return 0;
}

void
pv_grant(uint32_t ref, uint16_t domid, const void *page, int readonly)
{
	volatile grant_entry_v1_t *e;

	if (table == NULL || ref < 8 || ref >= ENTRIES)
		return;
	e = &table[ref];
	e->frame = (uint32_t)pv_virt_to_frame(page);
	e->domid = domid;
	barrier(); /* frame and domid before the flags (x86 keeps order) */
	e->flags = GTF_permit_access | (readonly ? GTF_readonly : 0);
}
