/**
 * @module errors
 * The problems a request can run into on purpose; the app turns each into a page or JSON answer.
 */

/** The visitor must sign in first: pages redirect to the sign-in form, the API answers 401. */
export class SignInRequired extends Error {}

/** Unknown, or not visible to this user: a 404 that does not reveal whether the thing exists. */
export class NotFound extends Error {
  constructor(message = 'The page you were looking for could not be found.') {
    super(message);
  }
}

/** Visible, but this user may not do that here. */
export class Forbidden extends Error {
  constructor(message = 'You are not allowed to do that.') {
    super(message);
  }
}

/** A request the app cannot act on (e.g. a tampered hidden field); not a field-level validation error. */
export class BadRequest extends Error {}

/** The thing changed since the form was loaded; saving would overwrite someone else's work. */
export class Conflict extends Error {}

/** The client went away before its whole request arrived: nobody is left to answer, and it is not our error. */
export class RequestAborted extends Error {
  constructor() {
    super('The client closed the connection before sending the whole request.');
  }
}
