package dev.steadfast.api;

import dev.steadfast.server.PrivateFiles;
import dev.steadfast.server.Settings;
import jakarta.annotation.PostConstruct;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.context.Initialized;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Inject;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;
import java.util.logging.Logger;
import org.eclipse.microprofile.config.Config;

/**
 * The bearer tokens the API accepts: {@code steadfast.api.tokens} (comma-separated), or when none
 * is configured a random token made at first start and kept in {@code <data dir>/api-token}, so
 * the API is never open by accident and the operator finds the token in one known place.
 */
@ApplicationScoped
public class ApiTokens {
  private static final Logger LOG = Logger.getLogger(ApiTokens.class.getName());

  @Inject Config config;

  /** The shortest token accepted in steadfast.api.tokens. */
  public static final int MIN_LENGTH = 16;
  private List<byte[]> tokens;
  private String accountId;

  @PostConstruct
  void load() {
    List<String> configured = config.getOptionalValue("steadfast.api.tokens", String.class)
        .map(s -> Arrays.stream(s.split(",")).map(String::trim).filter(t -> !t.isEmpty()).toList())
        .orElse(List.of());
    for (String t : configured) {
      if (t.length() < MIN_LENGTH) {
        // refused at deployment: a guessable token is worse than a server that does not start
        throw new IllegalStateException("steadfast.api.tokens: every token must be at least "
            + MIN_LENGTH + " characters; one has " + t.length());
      }
    }
    if (configured.isEmpty()) {
      Path file = new Settings(config).dataDir().resolve("api-token");
      configured = List.of(readOrCreate(file));
      LOG.info("REST API token (no steadfast.api.tokens configured) is in " + file);
    } else {
      LOG.info("REST API accepts " + configured.size() + " configured token(s)");
    }
    tokens = configured.stream().map(t -> t.getBytes(StandardCharsets.UTF_8)).toList();
    accountId = config.getOptionalValue("steadfast.account.id", String.class)
        .map(String::trim).filter(s -> !s.isEmpty()).orElse(null);
  }

  /** Loads at deployment, so the token file exists (and is logged) before the first request. */
  void init(@Observes @Initialized(ApplicationScoped.class) Object ignored) {
    tokens.size();
  }

  private static String readOrCreate(Path file) {
    byte[] random = new byte[24];
    new SecureRandom().nextBytes(random);
    return PrivateFiles.readOrCreate(file, "sf_" + HexFormat.of().formatHex(random));
  }

  /** Whether {@code token} is one of ours; constant-time so timing reveals nothing. */
  public boolean accepts(String token) {
    if (token == null) {
      return false;
    }
    byte[] given = token.getBytes(StandardCharsets.UTF_8);
    boolean ok = false;
    for (byte[] t : tokens) {
      ok |= MessageDigest.isEqual(t, given);
    }
    return ok;
  }

  /** The account id the API serves ({@code steadfast.account.id}), if one is set. */
  public Optional<String> accountId() {
    return Optional.ofNullable(accountId);
  }
}
