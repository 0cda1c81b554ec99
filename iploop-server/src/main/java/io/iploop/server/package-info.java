/**
 * The IPLoop control plane: the {@code iploop} command line entry point and the Spring Boot
 * application that hosts the REST API, the gateway SPI implementations and the embedded data plane.
 * Features live in sub-packages, one per feature (docs/architecture.md), each exposing one public
 * service.
 */
@NullMarked
package io.iploop.server;

import org.jspecify.annotations.NullMarked;
