package dev.steadfast.workflow.engine;

import java.nio.file.Path;
import java.util.UUID;
import javax.sql.DataSource;
import org.h2.jdbcx.JdbcConnectionPool;

/** Lifecycle faults on an H2 file database, as the server uses it. */
class H2LifecycleFaultsTest extends LifecycleFaultsContract {
  @Override
  DataSource newDatabase() {
    Path file = Path.of("target", "h2-lifecycle", UUID.randomUUID().toString()).toAbsolutePath();
    return JdbcConnectionPool.create("jdbc:h2:file:" + file, "sa", "");
  }
}
