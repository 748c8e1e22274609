/* Helper processes with known memory and CPU use, for tests/probe.rs.
 *
 *   helper mem MIB [CHILD_MIB]  fork a child that touches CHILD_MIB MiB (when given),
 *                               touch MIB MiB, then sleep
 *   helper busy                 spin on the CPU
 *   helper sleep                sleep
 *   helper exit-after MS MIB    touch MIB MiB, exit after MS milliseconds
 *   helper spawn-after MS MIB   sleep MS milliseconds, then fork a child that
 *                               touches MIB MiB; both sleep
 *
 * MIB may be fractional. Prints "ready" on stdout once its (and its first child's) memory is touched.
 * Children die with their parent, so killing the helper leaves nothing behind.
 */
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <time.h>
#include <unistd.h>

/* Keeps every allocation reachable, so the compiler cannot drop the writes. */
static char *volatile kept;

static void touch(double mib) {
    if (mib <= 0) return;
    size_t n = (size_t)(mib * 1048576.0);
    char *p = malloc(n);
    if (!p) { perror("malloc"); exit(1); }
    /* Non-zero bytes: every page really backed, none the shared zero page. */
    memset(p, 0x5a, n);
    kept = p;
}

static void sleep_ms(long ms) {
    struct timespec ts = { ms / 1000, (ms % 1000) * 1000000L };
    nanosleep(&ts, NULL);
}

static void forever(void) { for (;;) pause(); }

static void ready(void) {
    puts("ready");
    fflush(stdout);
}

/* Forks a child that touches `mib` and signals through a pipe when done. */
static int spawn(double mib) {
    int fds[2];
    if (pipe(fds) != 0) { perror("pipe"); exit(1); }
    pid_t pid = fork();
    if (pid < 0) { perror("fork"); exit(1); }
    if (pid == 0) {
        prctl(PR_SET_PDEATHSIG, SIGKILL);
        close(fds[0]);
        touch(mib);
        if (write(fds[1], "x", 1) != 1) exit(1);
        close(fds[1]);
        forever();
    }
    close(fds[1]);
    return fds[0];
}

static void wait_child(int fd) {
    char c;
    if (read(fd, &c, 1) != 1) { fputs("child failed\n", stderr); exit(1); }
    close(fd);
}

int main(int argc, char **argv) {
    const char *mode = argc > 1 ? argv[1] : "";
    if (!strcmp(mode, "mem") && argc >= 3) {
        int child = argc >= 4 ? spawn(atof(argv[3])) : -1;
        touch(atof(argv[2]));
        if (child >= 0) wait_child(child);
        ready();
        forever();
    } else if (!strcmp(mode, "busy")) {
        ready();
        for (volatile unsigned long i = 0;; i++) {}
    } else if (!strcmp(mode, "sleep")) {
        ready();
        forever();
    } else if (!strcmp(mode, "exit-after") && argc == 4) {
        touch(atof(argv[3]));
        ready();
        sleep_ms(atol(argv[2]));
        return 0;
    } else if (!strcmp(mode, "spawn-after") && argc == 4) {
        ready();
        sleep_ms(atol(argv[2]));
        wait_child(spawn(atof(argv[3])));
        forever();
    }
    fprintf(stderr, "usage: %s mem MIB [CHILD_MIB] | busy | sleep | exit-after MS MIB | spawn-after MS MIB\n", argv[0]);
    return 2;
}
