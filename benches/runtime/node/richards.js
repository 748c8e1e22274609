// Richards: Martin Richards' operating-system simulation, the classic benchmark of
// object allocation, property access and method dispatch.
//
// Self-check: every run ends with the published counts (9297 holds and 23246
// queued packets). The last line of stdout is {"hot_seconds": …}.
"use strict";

const RUNS = 40;
const EXPECTED_HOLDS = 9297, EXPECTED_QUEUED = 23246;
const I_IDLE = 1, I_WORK = 2, I_HANDLER_A = 3, I_HANDLER_B = 4, I_DEV_A = 5, I_DEV_B = 6;
const K_DEV = 1000, K_WORK = 1001;
const BUFSIZE = 4;

class Packet {
  constructor(link, ident, kind) {
    this.link = link;
    this.ident = ident;
    this.kind = kind;
    this.datum = 0;
    this.data = new Array(BUFSIZE).fill(0);
  }
  appendTo(queue) {
    this.link = null;
    if (queue === null) return this;
    let p = queue;
    while (p.link !== null) p = p.link;
    p.link = this;
    return queue;
  }
}

class Scheduler {
  constructor() {
    this.table = new Array(10).fill(null);
    this.tasks = null;
    this.holds = 0;
    this.queued = 0;
  }
  run() {
    let t = this.tasks;
    while (t !== null) {
      if (t.holding || (!t.pending && t.waiting)) t = t.link;
      else t = t.run();
    }
  }
}

class Task {
  constructor(sched, ident, priority, queue, pending, waiting, rec) {
    this.sched = sched;
    this.link = sched.tasks;
    this.ident = ident;
    this.priority = priority;
    this.input = queue;
    this.pending = pending;
    this.waiting = waiting;
    this.holding = false;
    this.rec = rec;
    sched.tasks = this;
    sched.table[ident] = this;
  }
  addPacket(packet, old) {
    if (this.input === null) {
      this.input = packet;
      this.pending = true;
      if (this.priority > old.priority) return this;
    } else {
      packet.appendTo(this.input);
    }
    return old;
  }
  run() {
    let msg = null;
    if (this.pending && this.waiting && !this.holding) {
      msg = this.input;
      this.input = msg.link;
      this.pending = this.input !== null;
      this.waiting = false;
    }
    return this.fn(msg, this.rec);
  }
  wait() {
    this.waiting = true;
    return this;
  }
  hold() {
    this.sched.holds++;
    this.holding = true;
    return this.link;
  }
  release(ident) {
    const t = this.sched.table[ident];
    t.holding = false;
    return t.priority > this.priority ? t : this;
  }
  qpkt(packet) {
    const t = this.sched.table[packet.ident];
    this.sched.queued++;
    packet.link = null;
    packet.ident = this.ident;
    return t.addPacket(packet, this);
  }
}

class DeviceTask extends Task {
  fn(packet, d) {
    if (packet === null) {
      packet = d.pending;
      if (packet === null) return this.wait();
      d.pending = null;
      return this.qpkt(packet);
    }
    d.pending = packet;
    return this.hold();
  }
}

class HandlerTask extends Task {
  fn(packet, h) {
    if (packet !== null) {
      if (packet.kind === K_WORK) h.workIn = packet.appendTo(h.workIn);
      else h.deviceIn = packet.appendTo(h.deviceIn);
    }
    const work = h.workIn;
    if (work === null) return this.wait();
    const count = work.datum;
    if (count >= BUFSIZE) {
      h.workIn = work.link;
      return this.qpkt(work);
    }
    const dev = h.deviceIn;
    if (dev === null) return this.wait();
    h.deviceIn = dev.link;
    dev.datum = work.data[count];
    work.datum = count + 1;
    return this.qpkt(dev);
  }
}

class IdleTask extends Task {
  fn(packet, i) {
    i.count--;
    if (i.count === 0) return this.hold();
    if ((i.control & 1) === 0) {
      i.control = Math.floor(i.control / 2);
      return this.release(I_DEV_A);
    }
    i.control = Math.floor(i.control / 2) ^ 0xd008;
    return this.release(I_DEV_B);
  }
}

class WorkTask extends Task {
  fn(packet, w) {
    if (packet === null) return this.wait();
    w.destination = w.destination === I_HANDLER_A ? I_HANDLER_B : I_HANDLER_A;
    packet.ident = w.destination;
    packet.datum = 0;
    for (let i = 0; i < BUFSIZE; i++) {
      w.count = (w.count % 26) + 1;
      packet.data[i] = 65 + w.count - 1;
    }
    return this.qpkt(packet);
  }
}

function richards() {
  const s = new Scheduler();
  new IdleTask(s, I_IDLE, 1, null, false, false, { control: 1, count: 10000 });
  const work = new Packet(new Packet(null, 0, K_WORK), 0, K_WORK);
  new WorkTask(s, I_WORK, 1000, work, true, true, { destination: I_HANDLER_A, count: 0 });
  for (const [ident, dev, priority] of [[I_HANDLER_A, I_DEV_A, 2000], [I_HANDLER_B, I_DEV_B, 3000]]) {
    const devs = new Packet(new Packet(new Packet(null, dev, K_DEV), dev, K_DEV), dev, K_DEV);
    new HandlerTask(s, ident, priority, devs, true, true, { workIn: null, deviceIn: null });
  }
  new DeviceTask(s, I_DEV_A, 4000, null, false, true, { pending: null });
  new DeviceTask(s, I_DEV_B, 5000, null, false, true, { pending: null });
  s.run();
  return [s.holds, s.queued];
}

const start = process.hrtime.bigint();
for (let i = 0; i < RUNS; i++) {
  const [holds, queued] = richards();
  if (holds !== EXPECTED_HOLDS || queued !== EXPECTED_QUEUED) {
    console.error(`richards self-check failed: ${holds} holds and ${queued} queued packets, expected ${EXPECTED_HOLDS} and ${EXPECTED_QUEUED}`);
    process.exit(1);
  }
}
const hot = Number(process.hrtime.bigint() - start) / 1e9;
console.log(JSON.stringify({ hot_seconds: hot }));
