package dev.steadfast.agent.runtime;

import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.Base64;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import javax.sql.DataSource;

/**
 * Opaque, signed page cursors of getWorkflows: the last row's (created_at, workflow id) and a
 * fingerprint of the query, under an HMAC whose key is kept in the database ({@code sf_secret},
 * created once by whichever server needs it first). A cursor stays valid across restarts and on
 * every server of the database; one that was altered, made up, or made for another query or
 * another agent instance is refused rather than silently giving a wrong page.
 */
final class TrackingCursor {
  /** A decoded cursor: the keyset position to continue after. */
  record Position(long createdAt, String workflowId) {}

  private static final Base64.Encoder ENC = Base64.getUrlEncoder().withoutPadding();
  private static final Base64.Decoder DEC = Base64.getUrlDecoder();
  private static final String SECRET = "tracking-cursor-key";
  private final byte[] key;

  TrackingCursor(byte[] key) {
    this.key = key.clone();
  }

  /** The cursor signer of the database behind {@code db}: its key made on first use. */
  static TrackingCursor of(DataSource db) {
    try (Connection c = db.getConnection()) {
      String value = read(c);
      if (value == null) {
        byte[] fresh = new byte[32];
        new SecureRandom().nextBytes(fresh);
        try (PreparedStatement p =
            c.prepareStatement("INSERT INTO sf_secret (name, secret) VALUES (?, ?)")) {
          p.setString(1, SECRET);
          p.setString(2, Base64.getEncoder().encodeToString(fresh));
          p.executeUpdate();
        } catch (SQLException raced) {
          // another server made it first: use theirs
        }
        value = read(c);
        if (value == null) {
          throw new IllegalStateException("cannot create the cursor key in sf_secret");
        }
      }
      return new TrackingCursor(Base64.getDecoder().decode(value));
    } catch (SQLException e) {
      throw new IllegalStateException("cannot read the cursor key: " + e.getMessage(), e);
    }
  }

  private static String read(Connection c) throws SQLException {
    try (PreparedStatement p = c.prepareStatement("SELECT secret FROM sf_secret WHERE name = ?")) {
      p.setString(1, SECRET);
      try (ResultSet rs = p.executeQuery()) {
        return rs.next() ? rs.getString(1) : null;
      }
    }
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
        + " query (pass back nextCursor unchanged, with the same filters and order)");
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
