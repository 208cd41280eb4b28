package dev.steadfast.workflow.engine;

import dev.steadfast.workflow.BatchOptions;
import dev.steadfast.workflow.BatchResult;
import dev.steadfast.workflow.DeleteResult;
import dev.steadfast.workflow.Retention;
import dev.steadfast.workflow.WorkflowClient.NewInstance;
import dev.steadfast.workflow.WorkflowException;
import dev.steadfast.workflow.WorkflowException.Reason;
import dev.steadfast.workflow.WorkflowInstance;
import dev.steadfast.workflow.engine.EngineEvent.Type;
import dev.steadfast.workflow.store.InstanceEntity;
import dev.steadfast.workflow.store.JournalWriter;
import dev.steadfast.workflow.store.WorkflowStore;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;

/**
 * Batches of instances: {@code createBatch} in its two forms and {@code deleteBatch}. Every entry
 * of a batch is checked on its own; the valid ones are inserted in one transaction (those this
 * server has free workers for inserted claimed by it, starting at once, as {@code create} does).
 * The object form reports each entry it did not create; the array form (Cloudflare's original)
 * refuses a batch with an invalid entry and skips ids in use.
 */
final class BatchCreator {
  /** Attempts of the insert when another request took one of the batch's ids meanwhile. */
  private static final int ATTEMPTS = 3;

  private final WorkflowEngine engine;

  BatchCreator(WorkflowEngine engine) {
    this.engine = engine;
  }

  /** One entry to create, checked. */
  private record Entry(int index, String id, String params, Retention retention) {}

  /** The object form: every entry not created is an error of its own. */
  BatchResult create(WorkflowDefinition def, BatchOptions<?> batch) {
    checkSize(batch == null ? 0 : batch.size());
    List<BatchResult.Error> errors = new ArrayList<>();
    List<Entry> entries = check(batch, errors);
    List<WorkflowInstance> created = insert(def, entries, errors);
    errors.sort(Comparator.comparingInt(BatchResult.Error::index));
    return new BatchResult(created, errors);
  }

  /** The array form: an invalid entry refuses the batch; ids already in use are skipped. */
  List<WorkflowInstance> createAll(WorkflowDefinition def, List<? extends NewInstance<?>> list) {
    checkSize(list == null ? 0 : list.size());
    List<BatchResult.Error> errors = new ArrayList<>();
    @SuppressWarnings({"unchecked", "rawtypes"})
    List<Entry> entries = check(BatchOptions.of((List) list), errors);
    if (!errors.isEmpty()) {
      BatchResult.Error first = errors.get(0);
      throw new WorkflowException(first.reason() == Reason.DUPLICATE_ID ? Reason.INVALID
          : first.reason(), first.message());
    }
    return insert(def, entries, new ArrayList<>());
  }

  private static void checkSize(int n) {
    if (n < 1 || n > Limits.MAX_BATCH) {
      throw new WorkflowException(Reason.INVALID, "a batch holds 1 to " + Limits.MAX_BATCH
          + " instances, got " + n);
    }
  }

  /** The entries that pass the checks; an error for each of the others. */
  private List<Entry> check(BatchOptions<?> batch, List<BatchResult.Error> errors) {
    List<Entry> out = new ArrayList<>();
    Map<String, Integer> seen = new HashMap<>();
    boolean countForm = batch.count() != null;
    String shared = countForm ? engine.writeParams(batch.params()) : null;
    for (int i = 0; i < batch.size(); i++) {
      if (countForm) {
        out.add(new Entry(i, UUID.randomUUID().toString(), shared, batch.retention()));
        continue;
      }
      NewInstance<?> n = batch.instances().get(i);
      String given = n == null ? null : n.id();
      try {
        if (n == null) {
          throw new WorkflowException(Reason.INVALID, "entry " + i + " is null");
        }
        String id = given == null ? UUID.randomUUID().toString() : given;
        Limits.checkInstanceId(id);
        Integer first = seen.putIfAbsent(id, i);
        if (first != null) {
          throw new WorkflowException(Reason.DUPLICATE_ID, "instance id '" + id
              + "' appears more than once in the batch (first at index " + first + ")");
        }
        out.add(new Entry(i, id, engine.writeParams(n.params()), n.retention()));
      } catch (WorkflowException e) {
        errors.add(new BatchResult.Error(i, given, e.reason(), e.getMessage()));
      }
    }
    return out;
  }

  /**
   * Inserts the entries whose ids are free in one transaction; an error for each id in use.
   * Another request may take an id between the check and the insert: the transaction then fails
   * on the unique key and is tried again, with that id now seen as in use.
   */
  private List<WorkflowInstance> insert(WorkflowDefinition def, List<Entry> entries,
      List<BatchResult.Error> errors) {
    if (entries.isEmpty()) {
      return List.of();
    }
    Dispatcher dispatcher = engine.dispatcher();
    for (int attempt = 1; ; attempt++) {
      long now = engine.now();
      List<InstanceEntity> rows = new ArrayList<>();
      for (Entry e : entries) {
        rows.add(engine.newInstance(def, e.id(), e.params(), now, e.retention()));
      }
      // as create: the rows this server has free workers for are inserted claimed by it and
      // start at once; the rest wait for a dispatcher (always so under a concurrency limit)
      long claimedAt = System.nanoTime();
      if (!def.policy().limited()) {
        for (InstanceEntity row : rows) {
          if (!dispatcher.reserveSlot()) {
            break;
          }
          engine.claimAtCreate(row, now);
        }
      }
      Set<String> existing;
      try {
        existing = engine.tx().inTransaction(em -> {
          Set<String> inUse = engine.store().existingIds(em, def.name(),
              rows.stream().map(InstanceEntity::getInstanceId).toList());
          List<JournalWriter.Stmt> inserts = new ArrayList<>();
          for (InstanceEntity row : rows) {
            if (!inUse.contains(row.getInstanceId())) {
              inserts.add(WorkflowStore.insertInstanceStmt(row, row.getOwner() != null
                  ? engine.config().lease().toMillis() : null));
            }
          }
          engine.store().execute(em, inserts);
          return inUse;
        });
      } catch (RuntimeException ex) {
        rows.stream().filter(r -> r.getOwner() != null)
            .forEach(r -> dispatcher.releaseSlot(r.getUid()));
        if (attempt < ATTEMPTS && WorkflowEngine.isConstraintViolation(ex)) {
          continue;
        }
        throw ex;
      }
      return started(def, entries, rows, existing, claimedAt, errors);
    }
  }

  /** After the commit: errors for the ids in use, events and turns for the rows inserted. */
  private List<WorkflowInstance> started(WorkflowDefinition def, List<Entry> entries,
      List<InstanceEntity> rows, Set<String> existing, long claimedAt,
      List<BatchResult.Error> errors) {
    Dispatcher dispatcher = engine.dispatcher();
    List<WorkflowInstance> handles = new ArrayList<>();
    boolean queued = false;
    for (int k = 0; k < rows.size(); k++) {
      InstanceEntity row = rows.get(k);
      if (existing.contains(row.getInstanceId())) {
        if (row.getOwner() != null) {
          dispatcher.releaseSlot(row.getUid());
        }
        errors.add(new BatchResult.Error(entries.get(k).index(), row.getInstanceId(),
            Reason.ALREADY_EXISTS, "instance '" + row.getInstanceId() + "' already exists"));
        continue;
      }
      engine.emit(Type.WORKFLOW_QUEUED, def.name(), row.getInstanceId(), null, 0, null, null);
      handles.add(new Handle(engine, def, row.getInstanceId()));
      if (row.getOwner() != null) {
        engine.emit(Type.WORKFLOW_START, def.name(), row.getInstanceId(), null, 0, null, null);
        dispatcher.runClaimed(WorkflowEngine.recordOf(row), claimedAt);
      } else {
        queued = true;
      }
    }
    if (queued) {
      dispatcher.requestPoll();
    }
    return handles;
  }

  /**
   * Deletes up to 100 instances by id; each id not found (or not an id at all) is an error of its
   * own. A running instance is stopped: its turn is abandoned and writes nothing more (so is the
   * turn of an instance that deletes itself).
   */
  DeleteResult delete(WorkflowDefinition def, List<String> ids) {
    checkSize(ids == null ? 0 : ids.size());
    Set<String> unique = new LinkedHashSet<>(ids);
    Map<String, WorkflowException> invalid = new HashMap<>();
    List<String> valid = new ArrayList<>();
    for (String id : unique) {
      try {
        Limits.checkInstanceId(id);
        valid.add(id);
      } catch (WorkflowException e) {
        invalid.put(id, e);
      }
    }
    Set<String> missing = valid.isEmpty() ? Set.of()
        : new java.util.HashSet<>(engine.deleteInstances(def.name(), valid));
    List<String> deleted = new ArrayList<>();
    List<DeleteResult.Error> errors = new ArrayList<>();
    for (String id : unique) {
      WorkflowException bad = invalid.get(id);
      if (bad != null) {
        errors.add(new DeleteResult.Error(id, bad.reason(), bad.getMessage()));
      } else if (missing.contains(id)) {
        errors.add(new DeleteResult.Error(id, Reason.INSTANCE_NOT_FOUND,
            "instance '" + id + "' not found"));
      } else {
        deleted.add(id);
      }
    }
    return new DeleteResult(deleted, errors);
  }
}
