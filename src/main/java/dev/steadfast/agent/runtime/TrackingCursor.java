package dev.steadfast.agent.runtime;

import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.util.Base64;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * Opaque, signed page cursors of getWorkflows: the last row's (created_at, workflow id) and a
 * fingerprint of the query, under an HMAC whose key lives in this runtime's memory. A cursor that
 * was altered, made up, made for another query or another agent instance, or made before the
 * server restarted is refused rather than silently giving a wrong page.
 */
final class TrackingCursor {
  /** A decoded cursor: the keyset position to continue after. */
  record Position(long createdAt, String workflowId) {}

  private static final Base64.Encoder ENC = Base64.getUrlEncoder().withoutPadding();
  private static final Base64.Decoder DEC = Base64.getUrlDecoder();
  private final byte[] key = new byte[32];

  TrackingCursor() {
    new SecureRandom().nextBytes(key);
  }

  String encode(Position p, String fingerprint) {
    String body = p.createdAt() + ":" + p.workflowId();
    return ENC.encodeToString(body.getBytes(StandardCharsets.UTF_8)) + "."
        + ENC.encodeToString(mac(body + "\n" + fingerprint));
  }

  /**
   * @throws IllegalArgumentException "Invalid pagination cursor" for anything this runtime did not
   *     sign for this query
   */
  Position decode(String cursor, String fingerprint) {
    try {
      int dot = cursor.indexOf('.');
      if (dot <= 0) {
        throw invalid();
      }
      String body = new String(DEC.decode(cursor.substring(0, dot)), StandardCharsets.UTF_8);
      byte[] sig = DEC.decode(cursor.substring(dot + 1));
      if (!MessageDigest.isEqual(sig, mac(body + "\n" + fingerprint))) {
        throw invalid();
      }
      int colon = body.indexOf(':');
      return new Position(Long.parseLong(body.substring(0, colon)), body.substring(colon + 1));
    } catch (IllegalArgumentException | IndexOutOfBoundsException e) {
      throw invalid();
    }
  }

  private static IllegalArgumentException invalid() {
    return new IllegalArgumentException("Invalid pagination cursor: it was not issued for this"
        + " query by this server (pass back nextCursor unchanged, with the same filters and"
        + " order; cursors do not survive a server restart)");
  }

  private byte[] mac(String text) {
    try {
      Mac m = Mac.getInstance("HmacSHA256");
      m.init(new SecretKeySpec(key, "HmacSHA256"));
      return m.doFinal(text.getBytes(StandardCharsets.UTF_8));
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("HmacSHA256 is unavailable", e);
    }
  }
}
