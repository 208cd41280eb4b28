package dev.steadfast.agent.runtime;

import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Supplier;

/**
 * The live instances by key, activated once and evicted when idle. A lookup and an eviction of
 * one key both run inside the map's per-key compute, so a lookup either finds the instance before
 * it is dropped (and its touch keeps it for another idle period) or activates a fresh one.
 */
final class LiveInstances {
  /** One key's activation; {@code touched} is the last lookup, read only inside compute. */
  private static final class Slot {
    final CompletableFuture<AgentInstance> instance = new CompletableFuture<>();
    long touched;
  }

  private final Map<String, Slot> slots = new ConcurrentHashMap<>();

  /** The instance for {@code key}, activated by {@code activate} if none is live. */
  AgentInstance get(String key, long now, Supplier<AgentInstance> activate) {
    Slot[] created = {null};
    Slot slot = slots.compute(key, (k, cur) -> {
      Slot s = cur != null ? cur : (created[0] = new Slot());
      s.touched = now;
      return s;
    });
    if (created[0] == slot) {
      try {
        slot.instance.complete(activate.get());
      } catch (RuntimeException | Error e) {
        // an Error too (a NoClassDefFoundError, a StackOverflowError in onStart): left
        // incomplete, the slot would block every later lookup of this key for good
        slots.remove(key, slot); // the next use tries again
        slot.instance.completeExceptionally(e);
        throw e;
      }
    }
    try {
      return slot.instance.join();
    } catch (CompletionException e) {
      if (e.getCause() instanceof Error err) {
        throw err;
      }
      throw e.getCause() instanceof RuntimeException r ? r : e;
    }
  }

  /**
   * Runs {@code work} if no instance of {@code key} is live or activating, holding off any
   * activation of that key until it is done (the release of an evicted instance's lease must not
   * delete the lease of a new activation).
   */
  void ifAbsent(String key, Runnable work) {
    slots.compute(key, (k, cur) -> {
      if (cur == null) {
        work.run();
      }
      return cur;
    });
  }

  /** The instance if it is live now, without activating or touching it. */
  AgentInstance peek(String key) {
    Slot s = slots.get(key);
    return s == null ? null : s.instance.getNow(null);
  }

  /** Every live instance (activations still under way are left out). */
  List<AgentInstance> all() {
    return slots.values().stream().map(s -> s.instance.getNow(null))
        .filter(i -> i != null).toList();
  }

  /** Drops {@code in} if it is still the live instance of {@code key}; true if it was. */
  boolean drop(String key, AgentInstance in) {
    boolean[] dropped = {false};
    slots.computeIfPresent(key, (k, s) -> {
      if (s.instance.getNow(null) == in) {
        in.evicted = true;
        dropped[0] = true;
        return null;
      }
      return s;
    });
    return dropped[0];
  }

  /**
   * Drops every instance idle since {@code cutoff}: not looked up, no connection, no work under
   * way (see {@link AgentInstance#idleSince}). Returns how many went.
   */
  int evictIdle(long cutoff, java.util.function.Consumer<AgentInstance> evictedOne) {
    int evicted = 0;
    for (String key : slots.keySet()) {
      AgentInstance[] dropped = {null};
      slots.computeIfPresent(key, (k, s) -> {
        AgentInstance in = s.instance.getNow(null);
        if (in != null && s.touched <= cutoff && in.idleSince(cutoff)) {
          in.evicted = true;
          dropped[0] = in;
          return null;
        }
        return s;
      });
      if (dropped[0] != null) {
        evicted++;
        evictedOne.accept(dropped[0]);
      }
    }
    return evicted;
  }
}
