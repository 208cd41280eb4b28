package dev.steadfast.bench;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;

/**
 * Timed rounds of one operation made by concurrent clients: each client makes {@code calls}
 * calls, the first tenth a warm-up that is not timed; every client is warm before the clock
 * starts. Reports the median over rounds of p50, p99 and throughput, and the spread of p50.
 */
final class Rounds {
  private Rounds() {}

  /** One client's calls; {@link #close} ends the client (e.g. its connection). */
  interface Client extends AutoCloseable {
    void call(int i) throws Exception;

    @Override
    default void close() throws Exception {}
  }

  /** Makes client number {@code n}. */
  interface Clients {
    Client open(int n) throws Exception;
  }

  /**
   * Figures of one operation over all rounds, in milliseconds and calls per second; {@code cpu}
   * is the CPU time the measured process spent per call (NaN when not measured): on a shared
   * machine the steadiest figure of what a call costs.
   */
  record Figures(double p50, double p99, double perSecond, double p50Low, double p50High,
      double cpu) {
    String latency() {
      return String.format(Locale.ROOT, "%.2f / %.2f (p50 %.2f–%.2f)", p50, p99, p50Low, p50High);
    }
  }

  /** CPU time of a process so far, in nanoseconds. */
  interface Cpu {
    long nanos();

    /** The CPU time of process {@code pid} (Linux: /proc/pid/stat, utime + stime). */
    static Cpu of(long pid) {
      return () -> {
        try {
          String stat = java.nio.file.Files.readString(java.nio.file.Path.of("/proc/" + pid
              + "/stat"));
          String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
          long ticks = Long.parseLong(f[11]) + Long.parseLong(f[12]);
          return ticks * 10_000_000L; // USER_HZ = 100 on Linux
        } catch (java.io.IOException e) {
          throw new java.io.UncheckedIOException(e);
        }
      };
    }

    /** This JVM's own CPU time. */
    static Cpu self() {
      var os = (com.sun.management.OperatingSystemMXBean)
          java.lang.management.ManagementFactory.getOperatingSystemMXBean();
      return os::getProcessCpuTime;
    }
  }

  static Figures measure(int rounds, int clients, int calls, Clients make) throws Exception {
    return measure(rounds, clients, calls, make, null);
  }

  static Figures measure(int rounds, int clients, int calls, Clients make, Cpu cpuOf)
      throws Exception {
    double[] p50 = new double[rounds];
    double[] p99 = new double[rounds];
    double[] rate = new double[rounds];
    double[] cpu = new double[rounds];
    for (int r = 0; r < rounds; r++) {
      long[][] nanos = new long[clients][0];
      long[] spans = new long[clients];
      CountDownLatch ready = new CountDownLatch(clients);
      CountDownLatch start = new CountDownLatch(1);
      ConcurrentLinkedQueue<Throwable> failed = new ConcurrentLinkedQueue<>();
      List<Thread> threads = new ArrayList<>();
      for (int c = 0; c < clients; c++) {
        int n = c;
        threads.add(new Thread(() -> {
          int warm = calls / 10;
          long[] mine = new long[calls - warm];
          try (Client client = make.open(n)) {
            for (int i = 0; i < warm; i++) {
              client.call(i);
            }
            ready.countDown();
            start.await();
            long t0 = System.nanoTime();
            for (int i = 0; i < mine.length; i++) {
              long s = System.nanoTime();
              client.call(warm + i);
              mine[i] = System.nanoTime() - s;
            }
            spans[n] = System.nanoTime() - t0;
            nanos[n] = mine;
          } catch (Throwable e) {
            failed.add(e);
            ready.countDown();
          }
        }, "bench-client-" + c));
      }
      threads.forEach(Thread::start);
      ready.await();
      long cpu0 = cpuOf == null ? 0 : cpuOf.nanos();
      start.countDown();
      for (Thread t : threads) {
        t.join();
      }
      long cpuUsed = cpuOf == null ? 0 : cpuOf.nanos() - cpu0;
      if (!failed.isEmpty()) {
        throw new IllegalStateException("a client failed: " + failed.peek(), failed.peek());
      }
      long[] all = Arrays.stream(nanos).flatMapToLong(Arrays::stream).sorted().toArray();
      long span = Arrays.stream(spans).max().orElse(1);
      p50[r] = all[all.length / 2] / 1e6;
      p99[r] = all[(int) (all.length * 0.99)] / 1e6;
      rate[r] = all.length / (span / 1e9);
      cpu[r] = cpuOf == null ? Double.NaN : cpuUsed / 1e6 / all.length;
    }
    double[] sorted = p50.clone();
    Arrays.sort(sorted);
    return new Figures(median(p50), median(p99), median(rate), sorted[0],
        sorted[sorted.length - 1], median(cpu));
  }

  static double median(double[] v) {
    double[] s = v.clone();
    Arrays.sort(s);
    return s[s.length / 2];
  }
}
