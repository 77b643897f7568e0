"""The domain: what is true of this use case whatever the tooling.

`simulate` makes data with known ground truth; `features` turns raw rows and an entity's past
into model inputs, the same way offline and online. Neither imports anything else of the
package, so both read (and test) on their own.
"""
