package dev.steadfast.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Map;
import java.util.function.Function;
import org.hibernate.engine.jndi.JndiException;
import org.junit.jupiter.api.Test;

/**
 * What lets the one WAR run on Payara and on WildFly without server-specific descriptors: the
 * datasources read their settings from MicroProfile Config when the server does not resolve or
 * pass them, and Hibernate finds the transaction manager under each server's JNDI name.
 */
class PortableServerSettingsTest {
  private final MapConfig config = new MapConfig()
      .withDefault("steadfast.db.url", "jdbc:h2:mem:default")
      .withDefault("steadfast.db.user", "sa")
      .with("steadfast.db.password", "from-env");

  @Test
  void aValueTheServerResolvedIsKept() {
    assertEquals("jdbc:postgresql://db/x",
        SteadfastDataSource.resolve("jdbc:postgresql://db/x", "steadfast.db.url", () -> config));
  }

  @Test
  void anUnresolvedPayaraExpressionIsReadFromConfig() {
    // WildFly passes ${MPCONFIG=...} through as text
    assertEquals("from-env", SteadfastDataSource.resolve("${MPCONFIG=steadfast.db.password}",
        "steadfast.db.password", () -> config));
    assertEquals("sa", SteadfastDataSource.resolve(" ${MPCONFIG=steadfast.db.user} ",
        "steadfast.db.password", () -> config), "the key named in the expression wins");
  }

  @Test
  void aValueTheServerDidNotSetIsReadFromConfig() {
    // WildFly sets no url on a DataSource class (only on a Driver)
    assertEquals("jdbc:h2:mem:default",
        SteadfastDataSource.resolve(null, "steadfast.db.url", () -> config));
    assertEquals("jdbc:h2:mem:default",
        SteadfastDataSource.resolve("", "steadfast.db.url", () -> config));
    assertEquals("", SteadfastDataSource.resolve(null, "steadfast.db.nothing", () -> config),
        "an unset key is blank, not null (a blank password is valid)");
  }

  @Test
  void anEmbeddedH2DatabaseIsLeftForThePoolsToCloseNotForH2sShutdownHook() {
    assertEquals("jdbc:h2:file:/d/db/steadfast;WRITE_DELAY=0;DB_CLOSE_ON_EXIT=FALSE",
        SteadfastDataSource.withH2Defaults("jdbc:h2:file:/d/db/steadfast;WRITE_DELAY=0"));
    assertEquals("jdbc:h2:/d/db/steadfast;DB_CLOSE_ON_EXIT=FALSE",
        SteadfastDataSource.withH2Defaults("jdbc:h2:/d/db/steadfast"));
    assertEquals("jdbc:h2:file:/d/x;db_close_on_exit=TRUE",
        SteadfastDataSource.withH2Defaults("jdbc:h2:file:/d/x;db_close_on_exit=TRUE"),
        "a URL that says otherwise is kept");
    assertEquals("jdbc:h2:mem:x", SteadfastDataSource.withH2Defaults("jdbc:h2:mem:x"));
    assertEquals("jdbc:h2:tcp://db/x", SteadfastDataSource.withH2Defaults("jdbc:h2:tcp://db/x"));
  }

  @Test
  void theTransactionManagerIsFoundUnderWildFlysName() {
    Object wildFlyTm = new Object();
    Map<String, Object> jndi = Map.of("java:jboss/TransactionManager", wildFlyTm);
    Function<String, Object> lookup = name -> {
      Object o = jndi.get(name);
      if (o == null) {
        throw new JndiException("Unable to lookup JNDI name [" + name + "]", null);
      }
      return o;
    };
    assertSame(wildFlyTm, ContainerJtaPlatform.firstBound(
        ContainerJtaPlatform.TRANSACTION_MANAGER_NAMES, lookup));
  }

  @Test
  void payarasNameIsTriedFirst() {
    Object payaraTm = new Object();
    Map<String, Object> jndi = Map.of("java:appserver/TransactionManager", payaraTm,
        "java:jboss/TransactionManager", new Object());
    assertSame(payaraTm, ContainerJtaPlatform.firstBound(
        ContainerJtaPlatform.TRANSACTION_MANAGER_NAMES, jndi::get));
  }

  @Test
  void noTransactionManagerAnywhereIsAClearError() {
    JndiException e = assertThrows(JndiException.class, () -> ContainerJtaPlatform.firstBound(
        ContainerJtaPlatform.TRANSACTION_MANAGER_NAMES, name -> {
          throw new JndiException("Unable to lookup JNDI name [" + name + "]", null);
        }));
    assertTrue(e.getMessage().contains("java:jboss/TransactionManager"), e.getMessage());
    assertTrue(e.getMessage().contains("hibernate.transaction.jta.platform"), e.getMessage());
  }
}
