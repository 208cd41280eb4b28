package dev.steadfast.workflow.engine;

import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.AfterEachCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.BeforeEachCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * Closes the PostgreSQL pools of {@link Databases} a test made once it is over (after its own
 * {@code @AfterEach}, so its engines are stopped first), and those of a class after the class:
 * pools left open would hold their connections until the shared server refused new ones.
 * Registered for every test through JUnit's extension auto-detection
 * ({@code src/test/resources/junit-platform.properties}).
 */
public final class DatabasesCleanup
    implements BeforeAllCallback, BeforeEachCallback, AfterEachCallback, AfterAllCallback {
  private static final ExtensionContext.Namespace NS =
      ExtensionContext.Namespace.create(DatabasesCleanup.class);

  @Override
  public void beforeAll(ExtensionContext context) {
    context.getStore(NS).put("from", Databases.poolsMade());
  }

  @Override
  public void beforeEach(ExtensionContext context) {
    context.getStore(NS).put("from", Databases.poolsMade());
  }

  @Override
  public void afterEach(ExtensionContext context) {
    Databases.closePoolsFrom(context.getStore(NS).get("from", Integer.class));
  }

  @Override
  public void afterAll(ExtensionContext context) {
    Databases.closePoolsFrom(context.getStore(NS).get("from", Integer.class));
  }
}
