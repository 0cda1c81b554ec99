/** Implementation of the campaigns feature: its tables' SQL, settings parsing, domain verification, REST controllers and jobs. */
@NullMarked
package io.iploop.server.campaigns.internal;

import org.jspecify.annotations.NullMarked;
