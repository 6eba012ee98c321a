/*
 * test_noxs.c: the noxs protocol between two processes sharing a memfd (a
 * toolstack and a guest frontend), and the validation of hostile pages.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <cmocka.h>

#include "noxs.h"

static void *
shared_pages(size_t n)
{
	int fd = memfd_create("noxs-test", MFD_CLOEXEC);
	void *p;

	assert_true(fd >= 0);
	assert_int_equal(ftruncate(fd, (off_t)(n * NOXS_PAGE_SIZE)), 0);
	p = mmap(NULL, n * NOXS_PAGE_SIZE, PROT_READ | PROT_WRITE, MAP_SHARED,
		 fd, 0);
	assert_true(p != MAP_FAILED);
	close(fd);
	return p;
}

static void
nap(void)
{
	struct timespec ts = {0, 1000000};

	nanosleep(&ts, NULL);
}

/* the guest: find sysctl, connect, obey the first request */
static int
frontend(volatile struct noxs_device_page *shared)
{
	struct noxs_device_page copy;
	const struct noxs_dev_entry *e;
	volatile void *block;
	uint32_t req;
	int i;

	for (i = 0; i < 5000 && shared->magic != NOXS_MAGIC; i++)
		nap();
	if (noxs_page_read(shared, &copy) < 0)
		return 100;
	e = noxs_find(&copy, NOXS_DEV_SYSCTL, 0);
	if (e == NULL || e->flags != NOXS_F_IN_DEVPAGE)
		return 101;
	block = (volatile uint8_t *)shared + e->ctrl_offset;
	noxs_sysctl_fe_connect(block,
			       NOXS_SYSCTL_FEATURE(NOXS_SYSCTL_POWEROFF) |
				       NOXS_SYSCTL_FEATURE(NOXS_SYSCTL_REBOOT));
	for (i = 0; i < 5000; i++) {
		req = noxs_sysctl_fe_take(block);
		if (req != NOXS_SYSCTL_NONE)
			return (int)req;
		nap();
	}
	return 102;
}

static void
test_two_processes(void **state)
{
	volatile struct noxs_device_page *page = shared_pages(1);
	struct noxs_dev_entry cons = {.type = NOXS_DEV_CONSOLE,
				      .flags = NOXS_F_GUEST_GRANT,
				      .evtchn = 2};
	struct noxs_dev_entry sys = {.type = NOXS_DEV_SYSCTL,
				     .flags = NOXS_F_IN_DEVPAGE,
				     .evtchn = 3};
	volatile void *block;
	pid_t pid;
	int st, off, seq = -1, i;

	(void)state;
	pid = fork();
	assert_true(pid >= 0);
	if (pid == 0)
		_exit(frontend(page));
	/* the toolstack builds the page while the guest is already looking */
	noxs_page_init((void *)page, 7);
	assert_int_equal(noxs_page_add((void *)page, &cons), 0);
	off = noxs_page_alloc_block((void *)page, &sys, 64);
	assert_true(off >= NOXS_ENTRIES_END);
	sys.ctrl_offset = (uint32_t)off;
	block = (volatile uint8_t *)page + off;
	((volatile struct noxs_sysctl *)block)->be_state = NOXS_STATE_CONNECTED;
	assert_int_equal(noxs_page_add((void *)page, &sys), 0);
	/* not connected yet: the request cannot be posted */
	for (i = 0; i < 5000; i++) {
		seq = noxs_sysctl_post(block, NOXS_SYSCTL_POWEROFF);
		if (seq != -NOXS_EAGAIN)
			break;
		nap();
	}
	assert_true(seq > 0);
	/* the guest did not announce suspend */
	assert_int_equal(noxs_sysctl_post(block, NOXS_SYSCTL_SUSPEND),
			 -NOXS_EAGAIN);
	assert_int_equal(waitpid(pid, &st, 0), pid);
	assert_true(WIFEXITED(st));
	assert_int_equal(WEXITSTATUS(st), NOXS_SYSCTL_POWEROFF);
	assert_true(noxs_sysctl_acked(block, (uint32_t)seq));
	munmap((void *)page, NOXS_PAGE_SIZE);
}

static void
test_hostile_pages(void **state)
{
	struct noxs_device_page p, copy;
	struct noxs_dev_entry e = {.type = NOXS_DEV_SYSCTL,
				   .flags = NOXS_F_IN_DEVPAGE,
				   .ctrl_offset = NOXS_ENTRIES_END};

	(void)state;
	noxs_page_init(&p, 1);
	assert_int_equal(noxs_page_add(&p, &e), 0);
	assert_int_equal(noxs_page_read(&p, &copy), 0);
	assert_int_equal(copy.ndevices, 1);

	copy = p;
	copy.ndevices = NOXS_MAX_DEVICES + 1;
	assert_int_equal(noxs_page_read(&copy, &copy), -NOXS_EINVAL);
	copy = p;
	copy.devices[0].ctrl_offset = NOXS_PAGE_SIZE - 32; /* runs off */
	assert_int_equal(noxs_page_read(&copy, &copy), -NOXS_EINVAL);
	copy = p;
	copy.devices[0].ctrl_offset = 8; /* over the header */
	assert_int_equal(noxs_page_read(&copy, &copy), -NOXS_EINVAL);
	copy = p;
	copy.devices[0].flags = NOXS_F_IN_DEVPAGE | NOXS_F_GUEST_GRANT;
	assert_int_equal(noxs_page_read(&copy, &copy), -NOXS_EINVAL);
	copy = p;
	copy.devices[0].type = 99;
	assert_int_equal(noxs_page_read(&copy, &copy), -NOXS_EINVAL);
	copy = p;
	copy.version = 2;
	assert_int_equal(noxs_page_read(&copy, &copy), -NOXS_EINVAL);
	copy = p;
	copy.magic = 0; /* a XenStore ring */
	assert_int_equal(noxs_page_read(&copy, &copy), -NOXS_EINVAL);
	/* the same device twice */
	copy = p;
	copy.devices[1] = copy.devices[0];
	copy.devices[1].ctrl_offset += 64;
	copy.ndevices = 2;
	assert_int_equal(noxs_page_read(&copy, &copy), -NOXS_EINVAL);
}

static void
test_page_limits(void **state)
{
	struct noxs_device_page p;
	struct noxs_dev_entry e = {.type = NOXS_DEV_VIF,
				   .flags = NOXS_F_BACKEND_GRANT};
	int i;

	(void)state;
	noxs_page_init(&p, 1);
	for (i = 0; i < NOXS_MAX_DEVICES; i++) {
		e.devid = (uint16_t)i;
		assert_int_equal(noxs_page_add(&p, &e), 0);
	}
	e.devid = 999;
	assert_int_equal(noxs_page_add(&p, &e), -NOXS_ENOSPC);
	noxs_page_init(&p, 1);
	e.devid = 0;
	assert_int_equal(noxs_page_add(&p, &e), 0);
	assert_int_equal(noxs_page_add(&p, &e), -NOXS_EINVAL);
	e.flags = 0;
	e.devid = 1;
	assert_int_equal(noxs_page_add(&p, &e), -NOXS_EINVAL);
}

static void
test_hostile_sysctl(void **state)
{
	struct noxs_sysctl s = {0}, c;

	(void)state;
	assert_int_equal(noxs_sysctl_read(&s, &c), 0);
	s.fe_state = 77;
	assert_int_equal(noxs_sysctl_read(&s, &c), -NOXS_EPROTO);
	assert_int_equal(noxs_sysctl_post(&s, NOXS_SYSCTL_POWEROFF),
			 -NOXS_EPROTO);
	s.fe_state = NOXS_STATE_CONNECTED;
	s.features = 0x80000000u;
	assert_int_equal(noxs_sysctl_post(&s, NOXS_SYSCTL_POWEROFF),
			 -NOXS_EPROTO);
	s.features = NOXS_SYSCTL_FEATURE(NOXS_SYSCTL_POWEROFF);
	s.request_seq = 0x7fffffff;
	assert_int_equal(noxs_sysctl_post(&s, NOXS_SYSCTL_POWEROFF), 1);
	assert_int_equal(noxs_sysctl_post(&s, 9), -NOXS_EINVAL);
}

/* The notice port is the backend's: a block carrying one still posts;
 * the guest takes it only within its own port range. */
static void
test_sysctl_notice(void **state)
{
	struct noxs_sysctl s = {0}, c;

	(void)state;
	s.be_state = s.fe_state = NOXS_STATE_CONNECTED;
	s.features = NOXS_SYSCTL_FEATURE(NOXS_SYSCTL_POWEROFF);
	s.notice_evtchn = 5;
	assert_int_equal(noxs_sysctl_read(&s, &c), 0);
	assert_int_equal(c.notice_evtchn, 5);
	assert_int_equal(noxs_sysctl_post(&s, NOXS_SYSCTL_POWEROFF), 1);
	assert_int_equal(noxs_sysctl_fe_notice(&s, 1023), 5);
	s.notice_evtchn = 4096;
	assert_int_equal(noxs_sysctl_fe_notice(&s, 1023), 0);
	s.notice_evtchn = 0;
	assert_int_equal(noxs_sysctl_fe_notice(&s, 1023), 0);
	s.reserved[8] = 1;
	assert_int_equal(noxs_sysctl_read(&s, &c), -NOXS_EPROTO);
}

/* The guest's side of a vif block: the backend's half checked, ours
 * published with fe_state last. */
static void
test_vif_frontend(void **state)
{
	struct noxs_vif_ctrl v = {0}, c;

	(void)state;
	v.be_state = NOXS_STATE_INITWAIT;
	v.mtu = 1500;
	v.prefix = 24;
	v.be_features = NOXS_VIF_F_RX_COPY;
	v.ipv4 = 0x020012c6;
	assert_int_equal(noxs_vif_fe_read(&v, &c), 0);
	assert_int_equal(c.ipv4, 0x020012c6);
	noxs_vif_fe_connect(&v, 8, 9, NOXS_VIF_F_RX_COPY);
	assert_int_equal(v.tx_ring_ref, 8);
	assert_int_equal(v.rx_ring_ref, 9);
	assert_int_equal(v.fe_features, NOXS_VIF_F_RX_COPY);
	assert_int_equal(v.fe_state, NOXS_STATE_CONNECTED);
	assert_int_equal(noxs_vif_fe_be_state(&v), NOXS_STATE_INITWAIT);
	v.be_state = 77;
	assert_int_equal(noxs_vif_fe_be_state(&v), NOXS_STATE_CLOSED);
	assert_int_equal(noxs_vif_fe_read(&v, &c), -NOXS_EPROTO);
	v.be_state = NOXS_STATE_CONNECTED;
	v.mtu = 67;
	assert_int_equal(noxs_vif_fe_read(&v, &c), -NOXS_EPROTO);
	v.mtu = 1501;
	assert_int_equal(noxs_vif_fe_read(&v, &c), -NOXS_EPROTO);
	v.mtu = 68;
	v.prefix = 33;
	assert_int_equal(noxs_vif_fe_read(&v, &c), -NOXS_EPROTO);
	v.prefix = 32;
	v.reserved[5] = 1;
	assert_int_equal(noxs_vif_fe_read(&v, &c), -NOXS_EPROTO);
	v.reserved[5] = 0;
	assert_int_equal(noxs_vif_fe_read(&v, &c), 0);
}

/* the backend's checks of what the frontend wrote */
static void
test_vif_backend(void **state)
{
	static const uint8_t mac[6] = {0x00, 0x16, 0x3e, 1, 2, 3};
	struct noxs_vif_ctrl v, c;

	(void)state;
	memset(&v, 0xa5, sizeof(v));
	noxs_vif_be_init(&v, mac, 1500, 0x010012c6, 24);
	assert_int_equal(v.be_state, NOXS_STATE_INITWAIT);
	assert_int_equal(v.be_features, NOXS_VIF_F_RX_COPY);
	assert_int_equal(v.fe_state, 0);
	assert_memory_equal(v.mac, mac, 6);
	/* the frontend's side as a guest writes it: readable both ways */
	assert_int_equal(noxs_vif_fe_read(&v, &c), 0);
	assert_int_equal(noxs_vif_be_read(&v, &c), 0);
	noxs_vif_fe_connect(&v, 8, 9, NOXS_VIF_F_RX_COPY);
	assert_int_equal(noxs_vif_be_read(&v, &c), 0);
	assert_int_equal(c.tx_ring_ref, 8);
	assert_int_equal(c.rx_ring_ref, 9);
	/* not ours to judge: the backend keeps its own MTU */
	v.mtu = 9;
	assert_int_equal(noxs_vif_be_read(&v, &c), 0);
	v.fe_features = NOXS_VIF_F_RX_COPY | NOXS_VIF_F_SG;
	assert_int_equal(noxs_vif_be_read(&v, &c), -NOXS_EPROTO);
	v.fe_features = 0;
	assert_int_equal(noxs_vif_be_read(&v, &c), -NOXS_EPROTO);
	v.fe_features = NOXS_VIF_F_RX_COPY;
	v.rx_ring_ref = 8;
	assert_int_equal(noxs_vif_be_read(&v, &c), -NOXS_EPROTO);
	v.rx_ring_ref = 1;
	assert_int_equal(noxs_vif_be_read(&v, &c), -NOXS_EPROTO);
	v.rx_ring_ref = 9;
	v.fe_state = 7;
	assert_int_equal(noxs_vif_be_read(&v, &c), -NOXS_EPROTO);
	/* a frontend that has not connected: its refs are not looked at */
	v.fe_state = NOXS_STATE_INITIALISING;
	v.tx_ring_ref = v.rx_ring_ref = 0;
	assert_int_equal(noxs_vif_be_read(&v, &c), 0);
	v.reserved[0] = 1;
	assert_int_equal(noxs_vif_be_read(&v, &c), -NOXS_EPROTO);
	v.reserved[0] = 0;
	noxs_vif_be_set_state(&v, NOXS_STATE_CLOSED);
	assert_int_equal(noxs_vif_fe_be_state(&v), NOXS_STATE_CLOSED);
}

/* the two entry sets the toolstack below alternates between */
static size_t
hot_set(int with_vif, struct noxs_dev_entry *e)
{
	memset(e, 0, 3 * sizeof(*e));
	e[0] = (struct noxs_dev_entry){.type = NOXS_DEV_CONSOLE,
				       .flags = NOXS_F_GUEST_GRANT,
				       .evtchn = 3};
	e[1] = (struct noxs_dev_entry){.type = NOXS_DEV_SYSCTL,
				       .flags = NOXS_F_IN_DEVPAGE,
				       .ctrl_offset = NOXS_ENTRIES_END,
				       .evtchn = 4};
	e[2] = (struct noxs_dev_entry){.type = NOXS_DEV_VIF,
				       .devid = 7,
				       .flags = NOXS_F_IN_DEVPAGE,
				       .ctrl_offset = NOXS_ENTRIES_END + 64,
				       .evtchn = 9};
	return with_vif ? 3 : 2;
}

/* The guest: every copy read_stable accepts is one of the two sets,
 * never a torn mix, however fast the toolstack rewrites (until *done).
 * Its exit status: 0, or what went wrong.  Most reads that overlap a
 * rewrite find the generation odd; the second look at it matters for a
 * reader preempted in mid-copy, which this provokes only by chance. */
static int
hot_reader(volatile struct noxs_device_page *shared, volatile int *done)
{
	struct noxs_device_page c;
	struct noxs_dev_entry want[3];
	unsigned seen[4] = {0}, busy = 0;
	size_t n;
	int rc;

	while (!*done) {
		rc = noxs_page_read_stable(shared, &c);
		if (rc == -NOXS_EAGAIN) {
			busy++;
			continue;
		}
		if (rc != 0)
			return 10;
		n = hot_set(c.ndevices == 3, want);
		if (c.ndevices != n || c.generation % 2 != 0 ||
		    memcmp(c.devices, want, n * sizeof(want[0])) != 0)
			return 11;
		if (n == 2 && c.devices[2].type != 0)
			return 12; /* what was removed is zeroed */
		seen[n]++;
	}
	/* both sets seen whole, and reads that fell inside a rewrite */
	return seen[2] < 50 || seen[3] < 50 ? 13 : busy == 0 ? 14 : 0;
}

static void
test_hotplug_seqlock(void **state)
{
	uint8_t *pages = shared_pages(2);
	volatile struct noxs_device_page *shared = (void *)pages;
	volatile int *done = (volatile int *)(pages + NOXS_PAGE_SIZE);
	struct noxs_dev_entry e[3];
	int status, i;
	pid_t pid;

	(void)state;
	noxs_page_init((void *)shared, 5);
	assert_int_equal(noxs_page_publish(shared, 5, e, hot_set(0, e)), 0);
	assert_int_equal(noxs_page_generation(shared), 2);
	pid = fork();
	assert_true(pid >= 0);
	if (pid == 0)
		_exit(hot_reader(shared, done));
	for (i = 0; i < 60000; i++) {
		volatile unsigned spin;

		assert_int_equal(
			noxs_page_publish(shared, 5, e, hot_set(i % 2, e)), 0);
		/* bursts of rewrites with pauses of varying length, so that
		 * reads land both inside and between them */
		for (spin = 0; spin < (unsigned)(i % 97) * 20; spin++)
			;
		if (i % 8 == 0 || i % 8 == 5) { /* after each set */
			struct timespec t = {0, 20000};

			nanosleep(&t, NULL);
		}
	}
	*done = 1;
	assert_int_equal(waitpid(pid, &status, 0), pid);
	assert_true(WIFEXITED(status));
	assert_int_equal(WEXITSTATUS(status), 0);
	assert_int_equal(noxs_page_generation(shared) % 2, 0);
	munmap(pages, 2 * NOXS_PAGE_SIZE);
}

static void
test_hotplug_publish(void **state)
{
	struct noxs_device_page page, before, c;
	struct noxs_dev_entry e[3];

	(void)state;
	noxs_page_init(&page, 5);
	/* a guest that scribbled an odd generation: publish ends even */
	page.generation = 7;
	assert_int_equal(noxs_page_read_stable(&page, &c), -NOXS_EAGAIN);
	assert_int_equal(noxs_page_publish(&page, 5, e, hot_set(1, e)), 0);
	assert_int_equal(page.generation, 8);
	assert_int_equal(noxs_page_read_stable(&page, &c), 0);
	assert_int_equal(c.ndevices, 3);
	assert_non_null(noxs_find(&c, NOXS_DEV_VIF, 7));
	/* refused, the page left as it was: a devid twice, a shared block,
	 * a bad flag, too many */
	before = page;
	hot_set(1, e);
	e[2].type = NOXS_DEV_SYSCTL;
	e[2].devid = 0;
	assert_int_equal(noxs_page_publish(&page, 5, e, 3), -NOXS_EINVAL);
	hot_set(1, e);
	e[2].ctrl_offset = e[1].ctrl_offset;
	assert_int_equal(noxs_page_publish(&page, 5, e, 3), -NOXS_EINVAL);
	hot_set(1, e);
	e[2].flags = NOXS_F_IN_DEVPAGE | NOXS_F_GUEST_GRANT;
	assert_int_equal(noxs_page_publish(&page, 5, e, 3), -NOXS_EINVAL);
	assert_int_equal(noxs_page_publish(&page, 5, e, NOXS_MAX_DEVICES + 1),
			 -NOXS_EINVAL);
	assert_memory_equal(&page, &before, sizeof(page));
	/* the guest's own scribbles in the header are overwritten */
	page.ndevices = 99;
	page.reserved[3] = 1;
	assert_int_equal(noxs_page_read(&page, &c), -NOXS_EINVAL);
	assert_int_equal(noxs_page_publish(&page, 5, e, hot_set(0, e)), 0);
	assert_int_equal(noxs_page_read_stable(&page, &c), 0);
	assert_int_equal(c.ndevices, 2);
	assert_null(noxs_find(&c, NOXS_DEV_VIF, 7));
}

static void
test_vif_fresh(void **state)
{
	struct noxs_vif_ctrl v;
	static const uint8_t mac[6] = {0, 0x16, 0x3e, 1, 2, 3};

	(void)state;
	memset(&v, 0, sizeof(v));
	assert_false(noxs_vif_fe_fresh(&v)); /* zeros: no backend yet */
	noxs_vif_be_init(&v, mac, 1500, 0, 0);
	assert_true(noxs_vif_fe_fresh(&v));
	noxs_vif_fe_set_state(&v, NOXS_STATE_INITIALISING);
	assert_true(noxs_vif_fe_fresh(&v));
	noxs_vif_fe_connect(&v, 8, 9, NOXS_VIF_F_RX_COPY);
	assert_false(noxs_vif_fe_fresh(&v));
	/* closed by us: not taken again until a new block comes */
	noxs_vif_fe_set_state(&v, NOXS_STATE_CLOSED);
	assert_false(noxs_vif_fe_fresh(&v));
	noxs_vif_be_set_state(&v, NOXS_STATE_CLOSING);
	noxs_vif_fe_set_state(&v, NOXS_STATE_INITIALISING);
	assert_false(noxs_vif_fe_fresh(&v));
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_two_processes),
		cmocka_unit_test(test_hostile_pages),
		cmocka_unit_test(test_page_limits),
		cmocka_unit_test(test_hostile_sysctl),
		cmocka_unit_test(test_sysctl_notice),
		cmocka_unit_test(test_vif_frontend),
		cmocka_unit_test(test_vif_backend),
		cmocka_unit_test(test_hotplug_seqlock),
		cmocka_unit_test(test_hotplug_publish),
		cmocka_unit_test(test_vif_fresh),
	};

	return cmocka_run_group_tests_name("noxs", tests, NULL, NULL);
}
