package com.example.shop;

import jakarta.enterprise.context.ApplicationScoped;

/** Stands for the application's own services, injected into its workflow. */
@ApplicationScoped
public class Mailer {
  public String send(String to, String subject) {
    return "sent '" + subject + "' to " + to;
  }
}
