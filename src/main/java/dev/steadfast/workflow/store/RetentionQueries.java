package dev.steadfast.workflow.store;

import jakarta.persistence.EntityManager;
import java.util.ArrayList;
import java.util.List;

/**
 * The queries of the retention sweep. A finished instance with a retention of its own (or of its
 * workflow) carries the time it is due for deletion ({@code purge_at}, written with its end); one
 * without falls back to its end plus the server's default. Both lookups are index ranges
 * ({@code sf_instance_purge}, {@code sf_instance_ended}), so a sweep costs what it deletes, not
 * the number of instances kept.
 */
public final class RetentionQueries {
  private static final String FINISHED = "('complete', 'errored', 'terminated')";

  private RetentionQueries() {}

  /**
   * Uids of finished instances due for deletion at {@code now}, at most {@code limit}: those past
   * their own purge time, then those without one that ended more than {@code defaultMillis} ago.
   */
  @SuppressWarnings("unchecked")
  public static List<String> expired(EntityManager em, long now, long defaultMillis, int limit) {
    List<String> out = new ArrayList<>(em.createNativeQuery("SELECT uid FROM sf_instance"
            + " WHERE purge_at <= ? AND status IN " + FINISHED)
        .setParameter(1, now)
        .setMaxResults(limit)
        .getResultList());
    if (out.size() < limit) {
      out.addAll(em.createNativeQuery("SELECT uid FROM sf_instance WHERE ended_at < ?"
              + " AND purge_at IS NULL AND status IN " + FINISHED)
          .setParameter(1, now - defaultMillis)
          .setMaxResults(limit - out.size())
          .getResultList());
    }
    return out;
  }
}
