/*
 * ipcpoke: send one hostile message to a chaos daemon's socket and print
 * the status of its reply, for tests/e2e/shells.sh.
 *
 *   ipcpoke SOCKET MAGIC KIND
 *
 * MAGIC is the protocol's (hex); KIND: hello (a good one), short (5
 * bytes), oversized (IPC_MSG_MAX + 1), version (version 99), type (type
 * 77), length (a header that lies about the length), nohello (a second
 * connection's first request is not hello).  Prints "err N: MESSAGE" of
 * the reply, or "no reply".  Exit 0 when a reply came.
 */
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include "ipc.h"

static int
conn(const char *path)
{
	struct sockaddr_un sa = {.sun_family = AF_UNIX};
	int fd = socket(AF_UNIX, SOCK_SEQPACKET, 0);

	snprintf(sa.sun_path, sizeof(sa.sun_path), "%s", path);
	if (fd < 0 || connect(fd, (struct sockaddr *)&sa, sizeof(sa)) < 0) {
		perror(path);
		exit(2);
	}
	return fd;
}

static int
reply(int fd)
{
	static uint8_t buf[IPC_MSG_MAX];
	struct pollfd p = {.fd = fd, .events = POLLIN};
	struct ipc_status st;
	ssize_t n;

	if (poll(&p, 1, 5000) <= 0 ||
	    (n = recv(fd, buf, sizeof(buf), 0)) <
		    (ssize_t)(sizeof(struct ipc_hdr) + sizeof(st))) {
		printf("no reply\n");
		return 1;
	}
	memcpy(&st, buf + sizeof(struct ipc_hdr), sizeof(st));
	st.msg[sizeof(st.msg) - 1] = '\0';
	printf("err %d: %s\n", st.err, st.msg);
	return 0;
}

int
main(int argc, char **argv)
{
	static uint8_t msg[IPC_MSG_MAX + 1];
	struct ipc_hdr h = {.version = 1, .type = IPC_HELLO};
	struct ipc_hello hi = {.version = 1, .pid = (uint32_t)getpid()};
	size_t len = sizeof(h) + sizeof(hi);
	const char *kind;
	int fd;

	if (argc != 4) {
		fprintf(stderr, "usage: ipcpoke SOCKET MAGIC KIND\n");
		return 2;
	}
	h.magic = (uint32_t)strtoul(argv[2], NULL, 16);
	kind = argv[3];
	fd = conn(argv[1]);
	if (strcmp(kind, "short") == 0)
		len = 5;
	else if (strcmp(kind, "oversized") == 0)
		len = sizeof(msg);
	else if (strcmp(kind, "version") == 0)
		h.version = 99;
	else if (strcmp(kind, "type") == 0)
		h.type = 77;
	else if (strcmp(kind, "nohello") == 0) {
		h.type = 3; /* a list: its body is a uint32_t */
		len = sizeof(h) + sizeof(uint32_t);
	} else if (strcmp(kind, "length") == 0)
		h.len = (uint32_t)len + 8;
	else if (strcmp(kind, "hello") != 0) {
		fprintf(stderr, "ipcpoke: unknown kind %s\n", kind);
		return 2;
	}
	if (h.len == 0)
		h.len = (uint32_t)len;
	h.id = 7;
	memcpy(msg, &h, sizeof(h));
	memcpy(msg + sizeof(h), &hi, sizeof(hi));
	if (send(fd, msg, len, 0) < 0) {
		perror("send");
		return 2;
	}
	return reply(fd);
}
