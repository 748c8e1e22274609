"""Richards: Martin Richards' operating-system simulation, the classic benchmark of
object allocation, attribute access and method dispatch.

Self-check: every run ends with the published counts (9297 holds and 23246
queued packets). The last line of stdout is {"hot_seconds": …}.
"""
import sys
import time

RUNS = 4
EXPECTED_HOLDS, EXPECTED_QUEUED = 9297, 23246

I_IDLE, I_WORK, I_HANDLER_A, I_HANDLER_B, I_DEV_A, I_DEV_B = 1, 2, 3, 4, 5, 6
K_DEV, K_WORK = 1000, 1001
BUFSIZE = 4


class Packet:
    def __init__(self, link, ident, kind):
        self.link = link
        self.ident = ident
        self.kind = kind
        self.datum = 0
        self.data = [0] * BUFSIZE

    def append_to(self, queue):
        self.link = None
        if queue is None:
            return self
        p = queue
        while p.link is not None:
            p = p.link
        p.link = self
        return queue


class DeviceRec:
    def __init__(self):
        self.pending = None


class IdleRec:
    def __init__(self):
        self.control = 1
        self.count = 10000


class HandlerRec:
    def __init__(self):
        self.work_in = None
        self.device_in = None


class WorkerRec:
    def __init__(self):
        self.destination = I_HANDLER_A
        self.count = 0


class Scheduler:
    def __init__(self):
        self.table = [None] * 10
        self.tasks = None
        self.holds = 0
        self.queued = 0

    def run(self):
        t = self.tasks
        while t is not None:
            if t.holding or (not t.pending and t.waiting):
                t = t.link
            else:
                t = t.run()


class Task:
    def __init__(self, sched, ident, priority, queue, pending, waiting, rec):
        self.sched = sched
        self.link = sched.tasks
        self.ident = ident
        self.priority = priority
        self.input = queue
        self.pending, self.waiting, self.holding = pending, waiting, False
        self.rec = rec
        sched.tasks = self
        sched.table[ident] = self

    def add_packet(self, packet, old):
        if self.input is None:
            self.input = packet
            self.pending = True
            if self.priority > old.priority:
                return self
        else:
            packet.append_to(self.input)
        return old

    def run(self):
        if self.pending and self.waiting and not self.holding:
            msg = self.input
            self.input = msg.link
            self.pending = self.input is not None
            self.waiting = False
        else:
            msg = None
        return self.fn(msg, self.rec)

    def wait(self):
        self.waiting = True
        return self

    def hold(self):
        self.sched.holds += 1
        self.holding = True
        return self.link

    def release(self, ident):
        t = self.sched.table[ident]
        t.holding = False
        return t if t.priority > self.priority else self

    def qpkt(self, packet):
        t = self.sched.table[packet.ident]
        self.sched.queued += 1
        packet.link = None
        packet.ident = self.ident
        return t.add_packet(packet, self)


class DeviceTask(Task):
    def fn(self, packet, d):
        if packet is None:
            packet = d.pending
            if packet is None:
                return self.wait()
            d.pending = None
            return self.qpkt(packet)
        d.pending = packet
        return self.hold()


class HandlerTask(Task):
    def fn(self, packet, h):
        if packet is not None:
            if packet.kind == K_WORK:
                h.work_in = packet.append_to(h.work_in)
            else:
                h.device_in = packet.append_to(h.device_in)
        work = h.work_in
        if work is None:
            return self.wait()
        count = work.datum
        if count >= BUFSIZE:
            h.work_in = work.link
            return self.qpkt(work)
        dev = h.device_in
        if dev is None:
            return self.wait()
        h.device_in = dev.link
        dev.datum = work.data[count]
        work.datum = count + 1
        return self.qpkt(dev)


class IdleTask(Task):
    def fn(self, packet, i):
        i.count -= 1
        if i.count == 0:
            return self.hold()
        if i.control & 1 == 0:
            i.control //= 2
            return self.release(I_DEV_A)
        i.control = (i.control // 2) ^ 0xD008
        return self.release(I_DEV_B)


class WorkTask(Task):
    def fn(self, packet, w):
        if packet is None:
            return self.wait()
        w.destination = I_HANDLER_B if w.destination == I_HANDLER_A else I_HANDLER_A
        packet.ident = w.destination
        packet.datum = 0
        for i in range(BUFSIZE):
            w.count = w.count % 26 + 1
            packet.data[i] = ord("A") + w.count - 1
        return self.qpkt(packet)


def richards():
    s = Scheduler()
    IdleTask(s, I_IDLE, 1, None, False, False, IdleRec())
    work = Packet(Packet(None, 0, K_WORK), 0, K_WORK)
    WorkTask(s, I_WORK, 1000, work, True, True, WorkerRec())
    for ident, dev, priority in ((I_HANDLER_A, I_DEV_A, 2000), (I_HANDLER_B, I_DEV_B, 3000)):
        devs = Packet(Packet(Packet(None, dev, K_DEV), dev, K_DEV), dev, K_DEV)
        HandlerTask(s, ident, priority, devs, True, True, HandlerRec())
    DeviceTask(s, I_DEV_A, 4000, None, False, True, DeviceRec())
    DeviceTask(s, I_DEV_B, 5000, None, False, True, DeviceRec())
    s.run()
    return s.holds, s.queued


def main():
    start = time.perf_counter()
    for _ in range(RUNS):
        holds, queued = richards()
        if (holds, queued) != (EXPECTED_HOLDS, EXPECTED_QUEUED):
            sys.exit(f"richards self-check failed: {holds} holds and {queued} queued packets, expected {EXPECTED_HOLDS} and {EXPECTED_QUEUED}")
    hot = time.perf_counter() - start
    print('{"hot_seconds": %r}' % hot)


main()
