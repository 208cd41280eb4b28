package com.example.shop;

import jakarta.servlet.annotation.WebServlet;
import jakarta.servlet.http.HttpServlet;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;

/**
 * The application's own page under {@code /agents/...}: a path shaped like an agent route that
 * belongs to no agent, which the library's agent filter must leave to the application.
 */
@WebServlet("/agents/orders/*")
public class OrdersServlet extends HttpServlet {
  @Override
  protected void doGet(HttpServletRequest req, HttpServletResponse resp) throws IOException {
    resp.setContentType("text/plain");
    resp.getWriter().print("order " + req.getPathInfo().substring(1));
  }
}
