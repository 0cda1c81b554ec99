package io.iploop.server.campaigns.internal;

import io.iploop.server.campaigns.CampaignsService;
import io.iploop.server.campaigns.Project;
import io.iploop.server.platform.AuthenticatedUser;
import io.swagger.v3.oas.annotations.Operation;
import io.swagger.v3.oas.annotations.tags.Tag;
import java.util.List;
import java.util.UUID;
import org.springframework.http.HttpStatus;
import org.springframework.http.MediaType;
import org.springframework.security.core.annotation.AuthenticationPrincipal;
import org.springframework.web.bind.annotation.DeleteMapping;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.PutMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.ResponseStatus;
import org.springframework.web.bind.annotation.RestController;

/**
 * {@code /api/projects} (docs/campaigns.md#api): the caller's campaign projects. The body is read as
 * bytes so {@code settings} is stored and returned exactly as sent. Another account's project answers
 * 404 on every route; a field out of its rules answers 400 naming it.
 */
@RestController
@RequestMapping("/api/projects")
@Tag(name = "campaigns", description = "Traffic campaigns against the caller's verified domains")
class ProjectsController {

    private final CampaignsService campaigns;
    private final ProjectRequests requests;

    ProjectsController(CampaignsService campaigns, ProjectRequests requests) {
        this.campaigns = campaigns;
        this.requests = requests;
    }

    @GetMapping
    @Operation(summary = "The caller's projects, oldest first")
    ProjectsResponse list(@AuthenticationPrincipal AuthenticatedUser caller) {
        return new ProjectsResponse(campaigns.list(caller.userId()));
    }

    @PostMapping(consumes = MediaType.APPLICATION_JSON_VALUE)
    @ResponseStatus(HttpStatus.CREATED)
    @Operation(summary = "Create a project; every URL must be on a domain the caller verified")
    Project create(@AuthenticationPrincipal AuthenticatedUser caller, @RequestBody byte[] body) {
        return campaigns.create(caller.userId(), requests.read(body));
    }

    @GetMapping("/{id}")
    @Operation(summary = "One project, its settings exactly as saved")
    Project get(@AuthenticationPrincipal AuthenticatedUser caller, @PathVariable UUID id) {
        return campaigns.get(caller.userId(), id);
    }

    @PutMapping(path = "/{id}", consumes = MediaType.APPLICATION_JSON_VALUE)
    @Operation(summary = "Replace a project's name, limits, expiry and settings; change its status if given")
    Project update(@AuthenticationPrincipal AuthenticatedUser caller, @PathVariable UUID id, @RequestBody byte[] body) {
        return campaigns.update(caller.userId(), id, requests.read(body));
    }

    @DeleteMapping("/{id}")
    @ResponseStatus(HttpStatus.NO_CONTENT)
    @Operation(summary = "Delete a project")
    void delete(@AuthenticationPrincipal AuthenticatedUser caller, @PathVariable UUID id) {
        campaigns.delete(caller.userId(), id);
    }

    record ProjectsResponse(List<Project> projects) {}
}
