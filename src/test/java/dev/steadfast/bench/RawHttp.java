package dev.steadfast.bench;

import java.io.BufferedInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URI;
import java.nio.charset.StandardCharsets;

/**
 * One keep-alive HTTP/1.1 connection with a minimal client on it: a request is one write, the
 * answer is read by its Content-Length (or chunks). For latency figures below a millisecond the
 * JDK's HttpClient costs too much of its own (its selector thread hands every answer over to the
 * caller); this costs a few microseconds, so what is timed is the server.
 */
final class RawHttp implements AutoCloseable {
  private final String host;
  private final String authorization;
  private final URI base;
  private Socket socket;
  private OutputStream out;
  private InputStream in;
  /** Connections opened: a server closes a keep-alive connection after so many requests. */
  int connects;

  /** The status and body of an answer. */
  record Answer(int status, String body) {}

  RawHttp(URI base, String token) throws IOException {
    this.host = base.getHost() + ":" + base.getPort();
    this.authorization = token == null ? null : "Bearer " + token;
    this.base = base;
    connect();
  }

  private void connect() throws IOException {
    connects++;
    socket = new Socket();
    socket.setTcpNoDelay(true);
    socket.connect(new InetSocketAddress(base.getHost(), base.getPort()), 5_000);
    socket.setSoTimeout(60_000);
    out = socket.getOutputStream();
    in = new BufferedInputStream(socket.getInputStream(), 64 * 1024);
  }

  Answer get(String path) throws IOException {
    return send("GET", path, null);
  }

  Answer post(String path, String json) throws IOException {
    return send("POST", path, json);
  }

  Answer send(String method, String path, String json) throws IOException {
    byte[] body = json == null ? new byte[0] : json.getBytes(StandardCharsets.UTF_8);
    StringBuilder h = new StringBuilder(256).append(method).append(' ').append(path)
        .append(" HTTP/1.1\r\nHost: ").append(host).append("\r\n");
    if (authorization != null) {
      h.append("Authorization: ").append(authorization).append("\r\n");
    }
    if (json != null) {
      h.append("Content-Type: application/json\r\nContent-Length: ").append(body.length)
          .append("\r\n");
    }
    h.append("\r\n");
    byte[] head = h.toString().getBytes(StandardCharsets.US_ASCII);
    byte[] request = new byte[head.length + body.length];
    System.arraycopy(head, 0, request, 0, head.length);
    System.arraycopy(body, 0, request, head.length, body.length);
    if (socket == null) {
      connect(); // the server closed the last one after its answer (Connection: close)
    }
    out.write(request);
    out.flush();
    return read();
  }

  private Answer read() throws IOException {
    String status = line();
    if (status == null) {
      throw new IOException("the server closed the connection");
    }
    int code = Integer.parseInt(status.substring(9, 12));
    long length = -1;
    boolean chunked = false;
    boolean close = false;
    for (String l = line(); l != null && !l.isEmpty(); l = line()) {
      int colon = l.indexOf(':');
      String name = l.substring(0, colon).trim();
      String value = l.substring(colon + 1).trim();
      if (name.equalsIgnoreCase("Content-Length")) {
        length = Long.parseLong(value);
      } else if (name.equalsIgnoreCase("Transfer-Encoding") && value.equalsIgnoreCase("chunked")) {
        chunked = true;
      } else if (name.equalsIgnoreCase("Connection") && value.equalsIgnoreCase("close")) {
        close = true;
      }
    }
    ByteArrayOutputStream body = new ByteArrayOutputStream();
    if (chunked) {
      for (int size = Integer.parseInt(line().trim(), 16); size > 0;
          size = Integer.parseInt(line().trim(), 16)) {
        body.write(in.readNBytes(size));
        line();
      }
      line();
    } else if (length > 0) {
      body.write(in.readNBytes((int) length));
    }
    if (close) {
      socket.close();
      socket = null;
    }
    return new Answer(code, body.toString(StandardCharsets.UTF_8));
  }

  private String line() throws IOException {
    StringBuilder b = new StringBuilder();
    for (int c = in.read(); c != -1; c = in.read()) {
      if (c == '\n') {
        int n = b.length();
        return n > 0 && b.charAt(n - 1) == '\r' ? b.substring(0, n - 1) : b.toString();
      }
      b.append((char) c);
    }
    return b.length() == 0 ? null : b.toString();
  }

  @Override
  public void close() throws IOException {
    if (socket != null) {
      socket.close();
    }
  }
}
