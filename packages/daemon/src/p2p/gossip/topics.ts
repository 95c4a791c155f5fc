/** The gossipsub topics of a network: version 1's two, and version 2's beacon three. */
export interface Topics {
  contributions: string
  votes: string
  commits: string
  reveals: string
  recoveries: string
}

export function topicsOf(network: string): Topics {
  return {
    contributions: `/alara/v1/${network}/contributions`,
    votes: `/alara/v1/${network}/votes`,
    commits: `/alara/v2/${network}/commits`,
    reveals: `/alara/v2/${network}/reveals`,
    recoveries: `/alara/v2/${network}/recoveries`,
  }
}

/** Every topic of a network, as gossipsub's allowedTopics and score parameters list them. */
export function allTopics(topics: Topics): string[] {
  return [topics.contributions, topics.votes, topics.commits, topics.reveals, topics.recoveries]
}
