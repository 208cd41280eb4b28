#!/usr/bin/env bash
# The file tree under the application in the images of `mvn -Pimage`, built without a Docker
# engine or registry: a Java 17 runtime made with jlink from the build machine's JDK, the C
# libraries it runs on from Debian's packages (glibc, libstdc++, libgcc, zlib; `apt-get download`,
# so a Debian or Ubuntu build machine), a user and a group `steadfast` (10001), /tmp and /data.
# No shell, no package manager: the image runs Java and nothing else.
#
#   docker/image-base.sh <output directory>
set -euo pipefail
out=${1:?usage: image-base.sh <output directory>}
jdk=${JAVA_HOME:-$(dirname "$(dirname "$(readlink -f "$(command -v javac)")")")}
version=$("$jdk/bin/java" -XshowSettings:properties -version 2>&1 | sed -n 's/ *java.specification.version = //p')
if [ "$version" != 17 ]; then
  echo "image-base.sh: needs a JDK 17 (JAVA_HOME=$jdk is $version)" >&2
  exit 1
fi
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
rm -rf "$out"
mkdir -p "$out"

# the Java runtime: Java SE and the JDK modules a server uses at run time (no compiler, no tools)
"$jdk/bin/jlink" --output "$out/opt/java" --strip-debug --no-man-pages --no-header-files \
  --compress=2 --add-modules java.se,jdk.unsupported,jdk.management,jdk.management.agent,\
jdk.crypto.ec,jdk.crypto.cryptoki,jdk.zipfs,jdk.naming.dns,jdk.naming.rmi,jdk.localedata,\
jdk.charsets,jdk.httpserver,jdk.jfr,jdk.net,jdk.security.auth,jdk.security.jgss,jdk.xml.dom,\
jdk.attach,jdk.jdwp.agent

# the C libraries, from Debian's packages of this machine's release
download() {
  (cd "$work" && apt-get download -q -o APT::Sandbox::User=root "$@" >/dev/null)
}
if ! download libc6 libgcc-s1 libstdc++6 zlib1g; then
  # a machine whose package lists were never fetched: fetch them once (root), else say so
  if [ "$(id -u)" = 0 ]; then
    apt-get update -q >/dev/null
    download libc6 libgcc-s1 libstdc++6 zlib1g
  else
    echo "image-base.sh: apt-get download failed; run 'apt-get update' as root first" >&2
    exit 1
  fi
fi
# libgcc-s1 and libstdc++6 keep their licence in the gcc base package they depend on
base=$(dpkg-deb -f "$work"/libgcc-s1_*.deb Depends | grep -o 'gcc-[0-9]*-base' | head -1)
download "$base"
for deb in "$work"/*.deb; do
  dpkg-deb -x "$deb" "$work/root"
done
mkdir -p "$out/lib/x86_64-linux-gnu" "$out/lib64" "$out/usr/share/doc"
# shared objects only (no gconv, no locales, no binaries); symbolic links resolved
find "$work/root/lib/x86_64-linux-gnu" "$work/root/usr/lib/x86_64-linux-gnu" -maxdepth 1 \
  -name '*.so*' \( -type f -o -type l \) -exec cp -L -t "$out/lib/x86_64-linux-gnu" {} +
cp -L "$work/root/lib64/ld-linux-x86-64.so.2" "$out/lib64/"
for pkg in libc6 "$base" zlib1g; do
  mkdir -p "$out/usr/share/doc/$pkg"
  cp "$work/root/usr/share/doc/$pkg/copyright" "$out/usr/share/doc/$pkg/"
done

# who runs it, and where it writes
mkdir -p "$out/etc" "$out/tmp" "$out/data"
printf 'root:x:0:0:root:/root:/sbin/nologin\nsteadfast:x:10001:10001:steadfast:/data:/sbin/nologin\n' \
  > "$out/etc/passwd"
printf 'root:x:0:\nsteadfast:x:10001:\n' > "$out/etc/group"
printf 'hosts: files dns\n' > "$out/etc/nsswitch.conf"
printf '127.0.0.1 localhost\n::1 localhost\n' > "$out/etc/hosts"
du -sh "$out" | sed 's/^/image-base.sh: /'
