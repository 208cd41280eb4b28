package dev.steadfast.server;

import jakarta.transaction.TransactionManager;
import jakarta.transaction.UserTransaction;
import java.util.List;
import java.util.function.Function;
import org.hibernate.engine.jndi.JndiException;
import org.hibernate.engine.transaction.jta.platform.internal.AbstractJtaPlatform;

/**
 * Hibernate's access to the container's JTA transaction manager, on every server the WAR runs
 * on. Hibernate detects none by itself on Payara (the manager's class is not visible to the
 * application), and a platform naming Payara's JNDI name fails the persistence unit on WildFly,
 * which binds the manager under another name; so each server's name is tried in turn. The
 * UserTransaction is the one Jakarta EE binds on every server.
 */
public class ContainerJtaPlatform extends AbstractJtaPlatform {
  /** Where servers bind their TransactionManager, in the order tried. */
  static final List<String> TRANSACTION_MANAGER_NAMES = List.of(
      "java:appserver/TransactionManager", // Payara Micro, Payara Server (GlassFish)
      "java:jboss/TransactionManager", // WildFly
      "java:comp/TransactionManager"); // TomEE and others following that convention

  @Override
  protected TransactionManager locateTransactionManager() {
    return (TransactionManager) firstBound(TRANSACTION_MANAGER_NAMES, jndiService()::locate);
  }

  @Override
  protected UserTransaction locateUserTransaction() {
    return (UserTransaction) jndiService().locate("java:comp/UserTransaction");
  }

  /** The object bound under the first of {@code names} that {@code lookup} finds. */
  static Object firstBound(List<String> names, Function<String, Object> lookup) {
    JndiException last = null;
    for (String name : names) {
      try {
        Object found = lookup.apply(name);
        if (found != null) {
          return found;
        }
      } catch (JndiException notHere) {
        last = notHere;
      }
    }
    throw new JndiException("this server binds no JTA TransactionManager under any of " + names
        + "; set hibernate.transaction.jta.platform in persistence.xml to its Hibernate JtaPlatform",
        last);
  }
}
