package dev.steadfast.server;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Set;
import java.util.logging.Logger;

/**
 * Files and directories only their owner may read: created with those permissions from the start
 * (never created open and narrowed after, which leaves a window), and existing ones checked with
 * a warning, since changing an operator's permissions behind their back would surprise more.
 * On a file system without POSIX permissions the checks are skipped.
 */
public final class PrivateFiles {
  private static final Logger LOG = Logger.getLogger(PrivateFiles.class.getName());
  private static final Set<PosixFilePermission> OTHERS = Set.of(
      PosixFilePermission.GROUP_READ, PosixFilePermission.GROUP_WRITE,
      PosixFilePermission.GROUP_EXECUTE, PosixFilePermission.OTHERS_READ,
      PosixFilePermission.OTHERS_WRITE, PosixFilePermission.OTHERS_EXECUTE);

  /** What was warned about already: the data directory is looked at by several components. */
  private static final Set<Path> WARNED = java.util.concurrent.ConcurrentHashMap.newKeySet();

  private PrivateFiles() {}

  /**
   * Creates {@code dir} and each missing parent as 0700, or warns (once per directory and
   * process) if it exists open to others. Parents that exist are left as they are.
   */
  public static void directory(Path dir) {
    dir = dir.toAbsolutePath().normalize();
    try {
      if (Files.isDirectory(dir)) {
        warnIfOpen(dir, "directory");
        return;
      }
      if (dir.getParent() != null && !Files.isDirectory(dir.getParent())) {
        directory(dir.getParent());
      }
      if (posix(dir.getParent())) {
        Files.createDirectory(dir,
            PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
      } else {
        Files.createDirectory(dir);
      }
    } catch (FileAlreadyExistsException raced) {
      // another thread made it: fine
    } catch (IOException e) {
      throw new UncheckedIOException("cannot create data directory " + dir, e);
    }
  }

  /**
   * The text of {@code file}, or {@code fresh} written to it as a new 0600 file: written to a
   * private temporary file and moved into place, so no reader ever sees it partly written or
   * readable by others, and two servers racing to create it agree on the first one's content.
   */
  public static String readOrCreate(Path file, String fresh) {
    try {
      if (Files.exists(file)) {
        warnIfOpen(file, "file");
        return Files.readString(file, StandardCharsets.UTF_8).trim();
      }
      Path dir = file.toAbsolutePath().getParent();
      Path tmp = posix(dir)
          ? Files.createTempFile(dir, ".tmp-", "", PosixFilePermissions.asFileAttribute(
              PosixFilePermissions.fromString("rw-------")))
          : Files.createTempFile(dir, ".tmp-", "");
      try {
        Files.writeString(tmp, fresh + "\n", StandardCharsets.UTF_8);
        try {
          // a hard link is made whole or not at all and never replaces a file another server
          // put there first (a rename would)
          Files.createLink(file, tmp);
          return fresh;
        } catch (UnsupportedOperationException noLinks) {
          Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE);
          return fresh;
        } catch (FileAlreadyExistsException raced) {
          return Files.readString(file, StandardCharsets.UTF_8).trim();
        }
      } finally {
        Files.deleteIfExists(tmp);
      }
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read or write " + file, e);
    }
  }

  private static boolean posix(Path p) {
    try {
      return p != null && Files.getFileStore(p).supportsFileAttributeView("posix");
    } catch (IOException e) {
      return false;
    }
  }

  private static void warnIfOpen(Path p, String what) throws IOException {
    if (!posix(p.toAbsolutePath().getParent() == null ? p : p.toAbsolutePath().getParent())) {
      return;
    }
    Set<PosixFilePermission> perms = Files.getPosixFilePermissions(p);
    if (perms.stream().anyMatch(OTHERS::contains) && WARNED.add(p.toAbsolutePath())) {
      LOG.warning("the " + what + " " + p + " is readable or writable by other users ("
          + PosixFilePermissions.toString(perms) + "); it holds secrets: chmod "
          + (what.equals("directory") ? "700" : "600") + " it");
    }
  }
}
