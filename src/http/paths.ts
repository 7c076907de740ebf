/**
 * @module http/paths
 * URL patterns of groups ("/groups/platform/backend") and projects ("/platform/backend/api").
 * A segment starts with a letter, digit or '_', so GitLab's "/-/" separator before sub-pages
 * can never be taken for part of a path.
 */

const SEGMENT = '[\\w][\\w.-]*';

/** One or more segments: a group's full path. */
export const GROUP_PATH = `:fullPath{${SEGMENT}(?:/${SEGMENT})*}`;

/** Two or more segments: a project's full path (a project always sits in a group). */
export const PROJECT_PATH = `:fullPath{${SEGMENT}(?:/${SEGMENT})+}`;
