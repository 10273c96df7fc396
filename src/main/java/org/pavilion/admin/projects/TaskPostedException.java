package org.pavilion.admin.projects;

import org.pavilion.queue.PavilionException;

/** A task that has been posted (it has sessions) cannot be deleted: its sessions' records refer to it. */
public final class TaskPostedException extends PavilionException {

    public TaskPostedException(long taskId, String title, int sessions) {
        super("Task " + taskId + " (\u201c" + title + "\u201d) has been posted (" + sessions
                + (sessions == 1 ? " session" : " sessions")
                + ") and cannot be deleted; its sessions and their event logs refer to it. Clone it to make changes.");
    }

    @Override
    public String code() {
        return "task_posted";
    }
}
