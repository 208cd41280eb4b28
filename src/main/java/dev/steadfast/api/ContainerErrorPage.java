package dev.steadfast.api;

import jakarta.servlet.RequestDispatcher;
import jakarta.servlet.annotation.WebServlet;
import jakarta.servlet.http.HttpServlet;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;

/**
 * The error page (WEB-INF/web.xml) for refusals the servlet container makes before JAX-RS sees
 * the request, e.g. an unparseable Content-Type: under /client/v4 they too get the v4 envelope,
 * elsewhere a plain text line.
 */
@WebServlet("/_steadfast/error")
public class ContainerErrorPage extends HttpServlet {
  private static final long serialVersionUID = 1L;

  @Override
  protected void service(HttpServletRequest req, HttpServletResponse resp) throws IOException {
    Object code = req.getAttribute(RequestDispatcher.ERROR_STATUS_CODE);
    int status = code instanceof Integer i ? i : 400;
    Object uri = req.getAttribute(RequestDispatcher.ERROR_REQUEST_URI);
    resp.setStatus(status);
    if (uri instanceof String u && u.startsWith("/client/v4")) {
      resp.setContentType("application/json;charset=UTF-8");
      resp.getWriter().write(Envelope.error(status, ApiError.UNSUPPORTED_REQUEST,
          "malformed request (HTTP " + status + "): check the Content-Type and other headers")
          .getEntity().toString());
    } else {
      resp.setContentType("text/plain;charset=UTF-8");
      resp.getWriter().write("HTTP " + status + "\n");
    }
  }
}
