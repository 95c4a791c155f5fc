/** The two gossipsub topics of a network. */
export interface Topics {
  contributions: string
  votes: string
}

export function topicsOf(network: string): Topics {
  return {
    contributions: `/alara/v1/${network}/contributions`,
    votes: `/alara/v1/${network}/votes`,
  }
}
