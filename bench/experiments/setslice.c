#define _GNU_SOURCE
#include <stdio.h>
#include <stdlib.h>
#include <stdint.h>
#include <string.h>
#include <unistd.h>
#include <sys/syscall.h>
struct sched_attr { uint32_t size, sched_policy; uint64_t sched_flags; int32_t sched_nice; uint32_t sched_priority;
  uint64_t sched_runtime, sched_deadline, sched_period; uint32_t sched_util_min, sched_util_max; };
int main(int argc, char **argv) {
  uint64_t ns = strtoull(argv[1], 0, 10);
  for (int i = 2; i < argc; i++) {
    int tid = atoi(argv[i]);
    struct sched_attr a; memset(&a, 0, sizeof a); a.size = sizeof a;
    if (syscall(SYS_sched_getattr, tid, &a, sizeof a, 0)) { perror("getattr"); continue; }
    uint64_t old = a.sched_runtime;
    a.sched_runtime = ns; a.sched_flags = 0;
    if (syscall(SYS_sched_setattr, tid, &a, 0)) { perror("setattr"); continue; }
    struct sched_attr b; memset(&b, 0, sizeof b);
    syscall(SYS_sched_getattr, tid, &b, sizeof b, 0);
    printf("tid %d policy %u nice %d slice %lu -> %lu\n", tid, b.sched_policy, b.sched_nice, old, b.sched_runtime);
  }
}
